"""Recommendations from the workspace's own history: the composer's "Suggest a time" (JSON)
and the best times added as posting slots."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing.timezones import to_utc

from .. import suggestions

# An answer read by our script, never rendered as a page.
DATA_CSP = {"default-src": [CSP.NONE], "frame-ancestors": [CSP.NONE]}


@workspace_view()
@require_safe
@csp_override(DATA_CSP)
def suggest_time(request: WorkspaceRequest) -> HttpResponse:
    """`?account=<id>&after=<local ISO time>` -> the account's next best window after `after`
    (or now, whichever is later), in the workspace's zone."""
    account_id = request.GET.get("account", "")
    if not account_id:
        return JsonResponse({"time": None, "reason": "Choose an account first.", "source": "none"})
    if not account_id.isdigit():
        return JsonResponse({"error": "account must be an account's id."}, status=400)
    account = get_object_or_404(
        ConnectedAccount.objects.select_related("workspace"),
        pk=int(account_id),
        workspace=request.workspace,
    )
    try:
        after = _after(request.GET.get("after", ""), request.workspace.timezone)
    except (ValueError, UserFacingError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    found = suggestions.suggest(account, after)
    if found.time is None or found.cell is None:
        return JsonResponse({"time": None, "reason": found.reason, "source": found.source})
    return JsonResponse(
        {
            "time": found.time.strftime("%Y-%m-%dT%H:%M"),
            "label": found.cell.label,
            "date": found.time.strftime("%a %-d %b, %H:%M"),
            "reason": found.reason,
            "source": found.source,
            "confidence": found.cell.confidence,
        }
    )


def _after(value: str, tz_name: str) -> datetime:
    """The moment after which to suggest: the given local time, never before now."""
    now = timezone.now()
    if not value:
        return now
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("after must be a date and time like 2026-03-03T14:00.") from None
    if moment.tzinfo is None:
        moment = to_utc(moment, tz_name)
    return max(moment, now)


@workspace_view(Capability.COMPOSE)
@require_POST
def add_best_slots(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Add the account's best windows as its posting slots (whoever may edit slots may)."""
    account = get_object_or_404(ConnectedAccount, pk=account_id, workspace=request.workspace)
    result = suggestions.add_best_slots(account)
    labels = ", ".join(cell.label for cell in result.added)
    if not result.found.best:
        messages.info(
            request, f"No best times to add for {account.display_name} yet. {result.found.message}"
        )
    elif result.added:
        count = len(result.added)
        messages.success(
            request,
            f"Added {count} posting slot{'' if count == 1 else 's'} for "
            f"{account.display_name}: {labels}. {result.found.message}",
        )
    else:
        already = ", ".join(cell.label for cell in result.existing)
        messages.info(
            request,
            f"{account.display_name} already has posting slots at its best times: {already}.",
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("posting_slots", request.workspace.slug)
