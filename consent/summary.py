"""The aggregate view of usage events for support staff: per day, the most viewed pages,
the most used features and the device mix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import UsageEvent

TOP = 5


@dataclass
class Day:
    day: date
    total: int = 0
    pages: list[tuple[str, int]] = field(default_factory=list)
    features: list[tuple[str, int]] = field(default_factory=list)
    devices: list[tuple[str, int]] = field(default_factory=list)


def usage_summary(days: int, *, now: datetime | None = None) -> list[Day]:
    """The last `days` days (UTC) that have events, newest first."""
    now = now or timezone.now()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    events = UsageEvent.objects.filter(created_at__gte=since, created_at__lte=now).annotate(
        day=TruncDate("created_at", tzinfo=UTC)
    )
    by_day: dict[date, Day] = {}
    for row in events.values("day", "kind", "name").annotate(n=Count("id")).order_by("-n", "name"):
        entry = by_day.setdefault(row["day"], Day(row["day"]))
        bucket = entry.pages if row["kind"] == UsageEvent.Kind.PAGE_VIEW else entry.features
        if len(bucket) < TOP:
            bucket.append((row["name"], row["n"]))
        entry.total += row["n"]
    devices: dict[date, list[tuple[str, int]]] = defaultdict(list)
    labels = dict(UsageEvent.Device.choices)
    for row in events.values("day", "device").annotate(n=Count("id")).order_by("-n", "device"):
        devices[row["day"]].append((labels.get(row["device"], row["device"]), row["n"]))
    for day, entry in by_day.items():
        entry.devices = devices[day]
    return sorted(by_day.values(), key=lambda entry: entry.day, reverse=True)
