from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.tenancy import WorkspaceRequest, workspace_view

from .. import heatmap, suggestions
from ..best_times import best_times as account_best_times
from ..formats import format_report


@workspace_view()
@require_safe
def best_times(request: WorkspaceRequest) -> HttpResponse:
    """An account's best hours of the week (heatmap) and which formats work for it."""
    accounts = list(request.workspace.connected_accounts.all())
    chosen = request.GET.get("account", "")
    account = next((a for a in accounts if str(a.pk) == chosen), None)
    if chosen and account is None:
        raise Http404("No such account in this workspace.")
    account = account or next(iter(accounts), None)
    context: dict[str, object] = {"accounts": accounts, "account": account}
    if account is not None:
        account.workspace = request.workspace  # the recommendations read its time zone
        found = account_best_times(account)
        report = format_report(account)
        context |= {
            "found": found,
            "rows": (rows := heatmap.heat_rows(found)),
            "heatmap": heatmap.heat_table(rows),
            "best": [suggestions.why(cell, found) for cell in found.best],
            "effect_groups": heatmap.effect_groups(report),
            "report": report,
        }
    return render(request, "insights/best_times.html", context)
