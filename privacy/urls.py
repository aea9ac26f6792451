from django.urls import path

from . import views

urlpatterns = [
    path("privacy/requests/", views.my_requests, name="privacy_requests"),
    path("privacy/requests/new/", views.new_request, name="privacy_request_new"),
    path("privacy/requests/filed/", views.filed, name="privacy_request_filed"),
    path("privacy/requests/confirm/<str:token>/", views.confirm, name="privacy_request_confirm"),
    path("privacy/requests/status/<str:token>/", views.status, name="privacy_request_status"),
]
