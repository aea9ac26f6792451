from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

PENDING_INVITATION_SESSION_KEY = "mixora.pending_invitation"


@dataclass(frozen=True)
class Site:
    """What allauth's emails call the site ("Hello from …"): our name and the host people know,
    not the host the request happened to come in on."""

    name: str
    domain: str


def mixora_site() -> Site:
    return Site("Mixora", urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"current_site": mixora_site(), **context})

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Someone who arrived through an invitation link goes back to it after logging in.
        token = request.session.get(PENDING_INVITATION_SESSION_KEY)
        if token:
            return reverse("invitation_accept", args=[token])
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self.get_login_redirect_url(request)
