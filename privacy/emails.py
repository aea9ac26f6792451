"""The emails a requester gets at each step, sent once the step is committed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from mixora.emails import send_templated

from . import deadlines
from .models import PrivacyRequest
from .request_links import confirm_address, confirm_url, status_url

if TYPE_CHECKING:
    from accounts.models import User, Workspace


def _send_after_commit(
    template: str, privacy_request: PrivacyRequest, *, to: str = "", **extra: object
) -> None:
    context = {
        "req": privacy_request,
        "status_url": status_url(privacy_request),
        "extension_label": deadlines.extension_label(privacy_request.jurisdiction),
        "complaint_right": privacy_request.jurisdiction
        in (PrivacyRequest.Jurisdiction.EEA, PrivacyRequest.Jurisdiction.UK),
        **extra,
    }
    address = to or privacy_request.email
    transaction.on_commit(lambda: send_templated(template, address, context))


def send_confirmation(privacy_request: PrivacyRequest, account: User | None) -> None:
    """The confirmation link; with `account` (the one using the request's address) it goes to
    the account's own address, and confirming ties the request to that account."""
    _send_after_commit(
        "privacy_request_confirm",
        privacy_request,
        to=confirm_address(privacy_request, account),
        confirm_url=confirm_url(privacy_request, account=account),
        for_account=account is not None,
    )


def send_step(privacy_request: PrivacyRequest, step: str, **extra: object) -> None:
    """received, verified, extended, rejected or completed: templates/emails/privacy_request_*."""
    _send_after_commit(f"privacy_request_{step}", privacy_request, **extra)


def send_deletion_guidance(privacy_request: PrivacyRequest, workspaces: list[Workspace]) -> None:
    """Why the account cannot be deleted yet and what to do: the same guidance the account's
    delete page gives (each workspace needs another owner, or to be deleted)."""
    _send_after_commit("privacy_request_deletion_blocked", privacy_request, workspaces=workspaces)
