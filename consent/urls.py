from django.urls import path

from . import views

urlpatterns = [
    path("privacy/cookies/", views.cookie_settings, name="cookie_settings"),
    path("privacy/cookies/choose/", views.choose, name="consent_choose"),
    path("privacy/usage/feature/", views.usage_feature, name="usage_feature"),
    path(".well-known/gpc.json", views.gpc_json, name="gpc_json"),
]
