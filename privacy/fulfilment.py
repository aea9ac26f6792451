"""What completing a privacy request sets going elsewhere in Mixora: the single place that
calls out to exports, account deletion and marketing preferences."""

from __future__ import annotations

from .models import PrivacyRequest

# These three modules are built alongside this app. Until one lands, completing a request
# still records the step and support staff carry it out by hand. Only a missing module is
# tolerated, and only here, at import time: an error raised inside a call propagates and
# undoes the completion.
try:
    from exports.services import request_export
except ModuleNotFoundError as exc:
    if exc.name != "exports.services":
        raise
    request_export = None

try:
    from accounts.deletion import start_account_deletion
except ModuleNotFoundError as exc:
    if exc.name != "accounts.deletion":
        raise
    start_account_deletion = None

try:
    from legal.marketing import opt_out as marketing_opt_out
except ModuleNotFoundError as exc:
    if exc.name != "legal.marketing":
        raise
    marketing_opt_out = None

Type = PrivacyRequest.Type


def automatic_action(privacy_request: PrivacyRequest) -> str:
    """What completing this request starts by itself, for staff ("" when they do it by hand)."""
    if privacy_request.user is None:
        return ""
    kind = privacy_request.request_type
    if kind in (Type.ACCESS, Type.PORTABILITY) and request_export is not None:
        return "Completing it starts a data export for the account."
    if kind == Type.DELETION and start_account_deletion is not None:
        return "Completing it starts deletion of the account."
    if kind == Type.MARKETING_OPT_OUT and marketing_opt_out is not None:
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
