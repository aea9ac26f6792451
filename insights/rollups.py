"""Daily roll-ups per account, recomputed from the posts of the days that changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, Sum

from .models import DailyRollup, PostInsight


def refresh(days: Iterable[tuple[int, date]]) -> None:
    """Recompute the roll-ups of these (account id, local day) pairs from their posts."""
    by_account: dict[int, set[date]] = {}
    for account_id, day in days:
        by_account.setdefault(account_id, set()).add(day)
    for account_id, account_days in by_account.items():
        _refresh_account(account_id, sorted(account_days))


def _refresh_account(account_id: int, days: list[date]) -> None:
    sums = (
        PostInsight.objects.filter(account_id=account_id, local_day__in=days)
        .values("local_day", "workspace_id")
        .annotate(
            posts=Count("pk"),
            impressions=Sum("impressions", default=0),
            reach=Sum("reach", default=0),
            engagements=Sum("engagements", default=0),
            rated_posts=Count("pk", filter=Q(engagement_rate__isnull=False)),
            rate_sum=Sum("engagement_rate", default=0.0),
        )
    )
    rows = [
        DailyRollup(
            account_id=account_id,
            workspace_id=row["workspace_id"],
            day=row["local_day"],
            posts=row["posts"],
            impressions=row["impressions"],
            reach=row["reach"],
            engagements=row["engagements"],
            rated_posts=row["rated_posts"],
            rate_sum=row["rate_sum"],
        )
        for row in sums
    ]
    with transaction.atomic():
        DailyRollup.objects.filter(account_id=account_id, day__in=days).delete()
        DailyRollup.objects.bulk_create(rows)
