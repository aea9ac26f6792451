from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.tenancy import WorkspaceRequest, workspace_view
from connections.platforms.registry import network_for

from .. import csv_export, overview, queries
from ..forms import CUSTOM, DEFAULT_DAYS, AnalyticsFilter
from ..models import PostInsight


def _filters(request: WorkspaceRequest) -> AnalyticsFilter:
    accounts = list(request.workspace.connected_accounts.all())
    return AnalyticsFilter(request.GET, accounts=accounts, today=timezone.localdate())


def _query_without(request: WorkspaceRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _period_links(request: WorkspaceRequest, filters: AnalyticsFilter) -> list[tuple]:
    """(label, query, chosen) of each preset period, keeping the other filters."""
    rest = _query_without(request, "period", "start", "end")
    chosen = filters.choice("period", str(DEFAULT_DAYS))
    return [
        (f"{days} days", f"{rest}&period={days}" if rest else f"period={days}", chosen == str(days))
        for days in queries.PERIOD_CHOICES
    ]


@workspace_view()
@require_safe
def analytics(request: WorkspaceRequest) -> HttpResponse:
    """The period's overview, charts, top posts and networks, for the filters chosen."""
    filters = _filters(request)
    period = filters.period_value
    accounts = filters.selected_accounts
    ids = [a.pk for a in accounts]
    data = queries.overview(request.workspace, ids, period)
    networks = queries.network_rows(accounts, data.by_account, data.followers.by_account_end)
    sort = filters.sort_value
    context = {
        "filters": filters,
        "custom": filters.choice("period") == CUSTOM,
        "period": period,
        "previous": period.previous,
        "accounts": accounts,
        "cards": overview.cards(data, networks),
        "has_posts": data.current.posts > 0,
        "daily_chart": overview.daily_chart(data, period),
        "followers_chart": overview.followers_chart(data, period),
        "has_followers": data.followers.end is not None,
        "top_posts": queries.top_posts(request.workspace, ids, period, sort),
        "sort": sort,
        "networks": networks,
        "query": request.GET.urlencode(),
        "query_without_sort": _query_without(request, "sort"),
        "period_links": _period_links(request, filters),
        "best_times_url": reverse("analytics_best_times", args=[request.workspace.slug])
        + (f"?account={accounts[0].pk}" if len(accounts) == 1 else ""),
    }
    return render(
        request, "insights/analytics.html", context, status=400 if filters.errors else 200
    )


@workspace_view()
@require_safe
def export_csv(request: WorkspaceRequest) -> HttpResponse:
    """The period's posts for the same filters, streamed as they are read."""
    filters = _filters(request)
    period = filters.period_value
    ids = [a.pk for a in filters.selected_accounts]
    rows = queries.export_rows(request.workspace, ids, period)
    response = StreamingHttpResponse(
        csv_export.csv_lines(rows, request.workspace.timezone, queries.EXCERPT_LENGTH),
        content_type="text/csv; charset=utf-8",
    )
    name = f"mixora-{request.workspace.slug}-posts-{period.start}-to-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Security-Policy"] = "default-src 'none'"  # a file, never a page
    return response


@workspace_view()
@require_safe
def post_metrics(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One published post's readings over time."""
    insight = get_object_or_404(
        PostInsight.objects.select_related("account", "target__post"),
        pk=pk,
        workspace=request.workspace,
    )
    readings = queries.readings(insight)
    network = network_for(insight.account)
    columns = overview.provided_metrics(insight, network.metrics_fields)
    context = {
        "insight": insight,
        "post": insight.target.post,
        "chart": overview.readings_chart(insight, readings) if readings else None,
        "columns": [(name, queries.METRIC_LABELS[name]) for name in columns],
        "latest": [(queries.METRIC_LABELS[name], getattr(insight, name)) for name in columns],
        "rows": [(r.taken_at, [getattr(r, name) for name in columns]) for r in reversed(readings)],
        "missing": queries.missing_metrics(network),
        "refusals": [refusal] if (refusal := network.metrics_refusal(insight.account)) else [],
    }
    return render(request, "insights/post_metrics.html", context)
