"""The site's URLs plus the local mode's mail page, as the local settings wire them."""

from mixora import dev_mail
from mixora.urls import urlpatterns as site

urlpatterns = [*dev_mail.urlpatterns, *site]
