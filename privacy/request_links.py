"""Signed links in privacy-request emails: confirming the address (48 hours) and reading the
request's status (read-only, no expiry: it shows one request and nothing else).

A confirmation link names the address it was sent to and the account using that address at
the time: confirming it ties the request to that account, and only while the account still
has that address. Links for an address with an account are sent to the account's address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from mixora.errors import UserFacingError

from .models import PrivacyRequest

if TYPE_CHECKING:
    from accounts.models import User

CONFIRM_MAX_AGE = timedelta(hours=48)
_CONFIRM_SALT = "mixora.privacy_request.confirm"
_STATUS_SALT = "mixora.privacy_request.status"


@dataclass(frozen=True)
class ConfirmLink:
    """What a confirmation link names: the request, the address it was sent to, and the
    account that used that address when it was sent (None: no account)."""

    reference: str
    address: str
    account_id: int | None


def account_for_address(address: str) -> User | None:
    """The active account whose address this is (addresses are unique, ignoring case)."""
    return get_user_model().objects.filter(email__iexact=address.strip(), is_active=True).first()


def confirm_address(privacy_request: PrivacyRequest, account: User | None) -> str:
    """Where the confirmation link goes: the account's own address when an account uses the
    request's address (as stored on the account, not as typed)."""
    return account.email if account is not None else privacy_request.email


def confirm_token(
    privacy_request: PrivacyRequest,
    *,
    account: User | None = None,
    now: datetime | None = None,
) -> str:
    """A link for the request's address, or with `account` (the one using that address) for
    the account's own address: confirming it then ties the request to that account."""
    # The issue time travels inside the signed payload, so expiry is checked against a `now`
    # the caller can choose (tests go back in time without patching the clock).
    issued = int((now or timezone.now()).timestamp())
    payload = {
        "r": privacy_request.reference,
        "t": issued,
        "a": confirm_address(privacy_request, account),
        "u": account.pk if account is not None else None,
    }
    return signing.Signer(salt=_CONFIRM_SALT).sign_object(payload)


def confirm_url(
    privacy_request: PrivacyRequest,
    *,
    account: User | None = None,
    now: datetime | None = None,
) -> str:
    token = confirm_token(privacy_request, account=account, now=now)
    return settings.SITE_URL + reverse("privacy_request_confirm", args=[token])


def read_confirm_token(token: str, *, now: datetime | None = None) -> ConfirmLink:
    """What a confirmation link names, or a UserFacingError saying why it cannot be used."""
    try:
        payload = signing.Signer(salt=_CONFIRM_SALT).unsign_object(token)
        reference, issued = str(payload["r"]), int(payload["t"])
        address, account_id = str(payload["a"]), payload["u"]
        if account_id is not None:
            account_id = int(account_id)
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
    return ConfirmLink(reference=reference, address=address, account_id=account_id)


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
