from django.urls import path

from . import views

urlpatterns = [
    path("privacy/exports/", views.export_list, name="export_list"),
    path("privacy/exports/panel/", views.export_panel, name="export_panel"),
    path("privacy/exports/request/", views.export_request, name="export_request"),
    path("privacy/exports/<str:token>/", views.export_download, name="export_download"),
]
