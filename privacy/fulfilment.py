"""What completing a privacy request sets going elsewhere in Mixora: the single place that
calls out to exports, account deletion and marketing preferences."""

from __future__ import annotations

from accounts.deletion import start_account_deletion
from exports.services import request_export
from legal.marketing import opt_out as marketing_opt_out

from .models import PrivacyRequest

Type = PrivacyRequest.Type


def automatic_action(privacy_request: PrivacyRequest) -> str:
    """What completing this request starts by itself, for staff ("" when they do it by hand)."""
    if privacy_request.user is None:
        return ""
    kind = privacy_request.request_type
    if kind in (Type.ACCESS, Type.PORTABILITY):
        return "Completing it starts a data export for the account."
    if kind == Type.DELETION:
        return "Completing it starts deletion of the account."
    if kind == Type.MARKETING_OPT_OUT:
        return "Completing it turns marketing emails off for the account."
    return ""


def carry_out(privacy_request: PrivacyRequest) -> str:
    """Start what the request asks for, inside the completing transaction; a note for the
    history of what was started ("" when nothing is automatic for it)."""
    if not automatic_action(privacy_request):
        return ""
    user = privacy_request.user
    kind = privacy_request.request_type
    if kind in (Type.ACCESS, Type.PORTABILITY):
        request_export(user, privacy_request=privacy_request)
        return "Data export started for the account."
    if kind == Type.DELETION:
        start_account_deletion(user, reason=f"privacy request {privacy_request.reference}")
        return "Account deletion started."
    marketing_opt_out(user, source="privacy_request")
    return "Marketing emails turned off for the account."
