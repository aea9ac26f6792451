"""The emails a requester gets at each step, sent once the step is committed."""

from __future__ import annotations

from django.db import transaction

from mixora.emails import send_templated

from . import deadlines
from .models import PrivacyRequest
from .request_links import confirm_url, status_url


def _send_after_commit(template: str, privacy_request: PrivacyRequest, **extra: object) -> None:
    context = {
        "req": privacy_request,
        "status_url": status_url(privacy_request),
        "extension_label": deadlines.extension_label(privacy_request.jurisdiction),
        "complaint_right": privacy_request.jurisdiction
        in (PrivacyRequest.Jurisdiction.EEA, PrivacyRequest.Jurisdiction.UK),
        **extra,
    }
    transaction.on_commit(lambda: send_templated(template, privacy_request.email, context))


def send_confirmation(privacy_request: PrivacyRequest) -> None:
    _send_after_commit(
        "privacy_request_confirm", privacy_request, confirm_url=confirm_url(privacy_request)
    )


def send_step(privacy_request: PrivacyRequest, step: str, **extra: object) -> None:
    """received, verified, extended, rejected or completed: templates/emails/privacy_request_*."""
    _send_after_commit(f"privacy_request_{step}", privacy_request, **extra)
