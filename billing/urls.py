from django.urls import path

from . import views

app_name = "billing"

# Mounted under /w/<slug>/billing/ (mixora/urls.py).
urlpatterns = [
    path("", views.page, name="page"),
    path("checkout/", views.start_checkout, name="checkout"),
    path("portal/", views.open_portal, name="portal"),
    path("return/", views.checkout_return, name="return"),
]
