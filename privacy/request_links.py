"""Signed links in privacy-request emails: confirming the address (48 hours) and reading the
request's status (read-only, no expiry: it shows one request and nothing else)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from mixora.errors import UserFacingError

from .models import PrivacyRequest

CONFIRM_MAX_AGE = timedelta(hours=48)
_CONFIRM_SALT = "mixora.privacy_request.confirm"
_STATUS_SALT = "mixora.privacy_request.status"


def confirm_token(privacy_request: PrivacyRequest, *, now: datetime | None = None) -> str:
    # The issue time travels inside the signed payload, so expiry is checked against a `now`
    # the caller can choose (tests go back in time without patching the clock).
    issued = int((now or timezone.now()).timestamp())
    payload = {"r": privacy_request.reference, "t": issued}
    return signing.Signer(salt=_CONFIRM_SALT).sign_object(payload)


def confirm_url(privacy_request: PrivacyRequest, *, now: datetime | None = None) -> str:
    token = confirm_token(privacy_request, now=now)
    return settings.SITE_URL + reverse("privacy_request_confirm", args=[token])


def reference_from_confirm_token(token: str, *, now: datetime | None = None) -> str:
    """The reference a confirmation link names, or a UserFacingError saying why not."""
    try:
        payload = signing.Signer(salt=_CONFIRM_SALT).unsign_object(token)
        reference, issued = str(payload["r"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise UserFacingError(
            "This confirmation link is not valid. Copy the whole link from the email, or "
            "file the request again."
        ) from exc
    age = (now or timezone.now()).timestamp() - issued
    if age > CONFIRM_MAX_AGE.total_seconds():
        raise UserFacingError(
            "This confirmation link has expired: links work for 48 hours. Please file the "
            "request again and confirm it within 48 hours."
        )
    return reference


def status_token(privacy_request: PrivacyRequest) -> str:
    return signing.Signer(salt=_STATUS_SALT).sign(privacy_request.reference)


def status_path(privacy_request: PrivacyRequest) -> str:
    return reverse("privacy_request_status", args=[status_token(privacy_request)])


def status_url(privacy_request: PrivacyRequest) -> str:
    return settings.SITE_URL + status_path(privacy_request)


def request_from_status_token(token: str) -> PrivacyRequest | None:
    try:
        reference = signing.Signer(salt=_STATUS_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return PrivacyRequest.objects.filter(reference=reference).first()
