from django.urls import path

from . import views

workspace_patterns = [
    path("connections/", views.connections_page, name="connections"),
    path("connections/connect/<str:provider>/", views.connect, name="connections_connect"),
    path("connections/choose/", views.choose, name="connections_choose"),
    path("connections/<int:pk>/disconnect/", views.disconnect, name="connections_disconnect"),
]

urlpatterns = [
    path("connections/callback/<str:provider>/", views.callback, name="connections_callback"),
]
