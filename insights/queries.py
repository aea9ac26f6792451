"""What the analytics pages read, for a period and a set of accounts.

The overview and the charts read the daily roll-ups and follower counts (a row per account and
day), so their cost follows the length of the period and the number of accounts, never the
number of posts. Top posts are one indexed query with a LIMIT; the CSV export streams."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import BooleanField, Case, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf, Substr

from accounts.models import Workspace
from connections.models import ConnectedAccount
from connections.platforms.network import METRIC_FIELDS
from connections.platforms.registry import network_for

from .models import DailyRollup, FollowerCount, MetricSnapshot, PostInsight

PERIOD_CHOICES = (7, 30, 90)
# A custom period is at most this long (the roll-ups read stay a few thousand rows).
MAX_PERIOD_DAYS = 366
TOP_POSTS = 10
EXCERPT_LENGTH = 120
TOTAL_FIELDS = ("posts", "impressions", "reach", "engagements", "rated_posts", "rate_sum")
METRIC_LABELS = {
    "impressions": "Impressions",
    "reach": "Reach",
    "engagements": "Engagements",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "clicks": "Clicks",
    "video_views": "Video views",
}


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, today: date) -> Period:
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def bounds(self, tz_name: str) -> tuple[datetime, datetime]:
        """The instants the period covers in the zone: [start midnight, the midnight after end)."""
        zone = ZoneInfo(tz_name)
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end + timedelta(days=1), time(), zone),
        )


@dataclass(frozen=True)
class Totals:
    posts: int = 0
    impressions: int = 0
    reach: int = 0
    engagements: int = 0
    rated_posts: int = 0
    rate_sum: float = 0.0

    @property
    def rate(self) -> float | None:
        """The average engagement rate of the posts whose rate is known."""
        return self.rate_sum / self.rated_posts if self.rated_posts else None

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(getattr(self, name) + getattr(other, name) for name in TOTAL_FIELDS))


@dataclass(frozen=True)
class Change:
    """A number this period against the period before."""

    current: float | None
    previous: float | None

    @property
    def percent(self) -> float | None:
        if self.current is None or not self.previous:
            return None
        return (self.current - self.previous) / self.previous * 100

    @property
    def direction(self) -> str:
        percent = self.percent
        if percent is None or abs(percent) < 0.05:
            return "flat"
        return "up" if percent > 0 else "down"


@dataclass(frozen=True)
class Day:
    day: date
    posts: int
    impressions: int
    engagements: int


@dataclass(frozen=True)
class MissingMetric:
    metric: str
    reason: str

    @property
    def label(self) -> str:
        return METRIC_LABELS[self.metric]


@dataclass
class NetworkRow:
    """One network's share of the period, and what it does not count."""

    platform: str
    label: str
    accounts: int = 0
    totals: Totals = field(default_factory=Totals)
    followers: int | None = None
    missing: list[MissingMetric] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def provides(self, metric: str) -> bool:
        return all(m.metric != metric for m in self.missing)


@dataclass(frozen=True)
class Followers:
    """Followers summed over the accounts, carried forward over days without a reading."""

    by_day: dict[date, int | None]
    by_account_end: dict[int, int]
    end: int | None
    previous_end: int | None

    @property
    def change(self) -> Change:
        return Change(self.end, self.previous_end)

    @property
    def gained(self) -> int | None:
        if self.end is None or self.previous_end is None:
            return None
        return self.end - self.previous_end


@dataclass(frozen=True)
class Overview:
    current: Totals
    previous: Totals
    by_account: dict[int, Totals]
    daily: list[Day]
    followers: Followers

    def change(self, metric: str) -> Change:
        return Change(getattr(self.current, metric), getattr(self.previous, metric))


def overview(workspace: Workspace, account_ids: list[int], period: Period) -> Overview:
    """The period's totals against the previous period, per day and per account: three queries."""
    previous = period.previous
    in_window = DailyRollup.objects.filter(
        workspace=workspace, account_id__in=account_ids, day__range=(previous.start, period.end)
    )
    current = Case(
        When(day__gte=period.start, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    halves = (
        in_window.annotate(current=current)
        .values("account_id", "current")
        .annotate(**{f"sum_{name}": Sum(name) for name in TOTAL_FIELDS})
    )
    by_account: dict[int, Totals] = {}
    previous_total = Totals()
    for row in halves:
        totals = Totals(*(row[f"sum_{name}"] for name in TOTAL_FIELDS))
        if row["current"]:
            by_account[row["account_id"]] = totals
        else:
            previous_total += totals
    sums = {name: Sum(name) for name in ("posts", "impressions", "engagements")}
    per_day = {
        row["day"]: row
        for row in in_window.filter(day__gte=period.start).values("day").annotate(**sums)
    }
    daily = [
        Day(
            day,
            per_day.get(day, {}).get("posts", 0),
            per_day.get(day, {}).get("impressions", 0),
            per_day.get(day, {}).get("engagements", 0),
        )
        for day in period.dates()
    ]
    return Overview(
        current=sum(by_account.values(), Totals()),
        previous=previous_total,
        by_account=by_account,
        daily=daily,
        followers=followers(workspace, account_ids, period),
    )


def followers(workspace: Workspace, account_ids: list[int], period: Period) -> Followers:
    """Each day's followers over the accounts (one query). A day an account was not read keeps
    its last reading; before its first reading in the window it counts as unknown."""
    previous = period.previous
    window_start = previous.start
    readings = (
        FollowerCount.objects.filter(
            workspace=workspace, account_id__in=account_ids, day__range=(window_start, period.end)
        )
        .order_by("day")
        .values_list("account_id", "day", "followers")
    )
    by_day_account: dict[date, dict[int, int]] = defaultdict(dict)
    for account_id, day, count in readings:
        by_day_account[day][account_id] = count
    latest: dict[int, int] = {}
    by_day: dict[date, int | None] = {}
    previous_end: int | None = None
    day = window_start
    while day <= period.end:
        latest.update(by_day_account.get(day, {}))
        total = sum(latest.values()) if latest else None
        if day == previous.end:
            previous_end = total
        if day >= period.start:
            by_day[day] = total
        day += timedelta(days=1)
    return Followers(
        by_day=by_day,
        by_account_end=dict(latest),
        end=by_day[period.end],
        previous_end=previous_end,
    )


def network_rows(
    accounts: Iterable[ConnectedAccount],
    by_account: dict[int, Totals],
    followers_by_account: dict[int, int],
) -> list[NetworkRow]:
    """The period per network, with the metrics each network does not provide and why."""
    rows: dict[str, NetworkRow] = {}
    for account in accounts:
        row = rows.get(account.platform)
        if row is None:
            network = network_for(account)
            row = rows[account.platform] = NetworkRow(
                platform=account.platform,
                label=account.get_platform_display(),
                missing=missing_metrics(network),
            )
        row.accounts += 1
        row.totals += by_account.get(account.pk, Totals())
        if account.pk in followers_by_account:
            row.followers = (row.followers or 0) + followers_by_account[account.pk]
        network = network_for(account)
        for refusal in (network.metrics_refusal(account), network.followers_refusal(account)):
            if refusal:
                row.refusals.append(f"{account.display_name}: {refusal}")
    return sorted(rows.values(), key=lambda row: row.label)


def missing_metrics(network: object) -> list[MissingMetric]:
    """The metrics a network does not give apps, each with the network's reason."""
    notes = network.metrics_notes
    return [
        MissingMetric(name, notes.get(name) or f"{network.label} does not give apps this number.")
        for name in METRIC_FIELDS
        if name not in network.metrics_fields
    ]


def posts_in(workspace: Workspace, account_ids: list[int], period: Period) -> QuerySet[PostInsight]:
    """The insights of posts published in the period (the (workspace, published_at) index)."""
    start, end = period.bounds(workspace.timezone)
    return PostInsight.objects.filter(
        workspace=workspace,
        account_id__in=account_ids,
        published_at__gte=start,
        published_at__lt=end,
    )


def _with_excerpt(insights: QuerySet[PostInsight]) -> QuerySet[PostInsight]:
    """The post's text on that account (its own caption, else the shared text), cut short in
    the database so long texts are not read."""
    text = Coalesce(NullIf(F("target__caption"), Value("")), F("target__post__text"))
    return insights.annotate(excerpt=Substr(text, 1, EXCERPT_LENGTH + 1))


# The field ranked, and the order (the insight_top_* indexes): posts not read yet never rank.
SORTS = {
    "engagements": ("engagements", ("-engagements", "-published_at")),
    "rate": ("engagement_rate", ("-engagement_rate", "-published_at")),
}


def top_posts(
    workspace: Workspace,
    account_ids: list[int],
    period: Period,
    sort: str = "engagements",
    limit: int = TOP_POSTS,
) -> list[PostInsight]:
    """The period's best posts by engagements or rate: one query. Its subquery ranks the
    period's insights on narrow rows; only the winners are joined to their accounts and texts."""
    ranked, order = SORTS[sort]
    best = (
        posts_in(workspace, account_ids, period)
        .filter(**{f"{ranked}__isnull": False})
        .order_by(*order)
        .values("pk")[:limit]
    )
    insights = (
        _with_excerpt(PostInsight.objects.filter(pk__in=best))
        .select_related("account", "target")
        .only(
            *METRIC_FIELDS,
            "engagement_rate",
            "published_at",
            "format",
            "account__platform",
            "account__display_name",
            "account__handle",
            "target__post_id",
            "target__permalink",
        )
        .order_by(*order)
    )
    return list(insights)


def readings(insight: PostInsight) -> list[MetricSnapshot]:
    return list(insight.readings.order_by("taken_at", "pk"))


CSV_COLUMNS = (
    "published_at",
    "account__platform",
    "account__display_name",
    "format",
    "excerpt",
    *METRIC_FIELDS,
    "engagement_rate",
    "target__permalink",
)


def export_rows(
    workspace: Workspace, account_ids: list[int], period: Period, chunk_size: int = 2000
) -> Iterator[tuple]:
    """Every post of the period, oldest first, as CSV_COLUMNS tuples, read in chunks from a
    server-side cursor. Inside a transaction: outside one the cursor is WITH HOLD, and
    PostgreSQL computes the whole result before the first row."""
    insights = _with_excerpt(posts_in(workspace, account_ids, period)).order_by(
        "published_at", "pk"
    )
    with transaction.atomic():
        yield from insights.values_list(*CSV_COLUMNS).iterator(chunk_size=chunk_size)
