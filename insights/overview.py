"""The analytics overview as the page shows it: cards against the previous period, the daily and
followers charts, and a post's readings over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from connections.platforms.network import METRIC_FIELDS

from . import charts
from .models import MetricSnapshot, PostInsight
from .queries import METRIC_LABELS, Change, NetworkRow, Overview, Period


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    change: Change
    detail: str = ""
    # Networks in view that do not count this metric (their reasons are listed on the page).
    not_counted: tuple[str, ...] = ()

    @property
    def percent(self) -> str:
        value = self.change.percent
        return "" if value is None else f"{abs(value):.1f}%"


def cards(data: Overview, networks: list[NetworkRow]) -> list[Card]:
    def not_counted(metric: str) -> tuple[str, ...]:
        return tuple(row.label for row in networks if not row.provides(metric))

    current, previous = data.current, data.previous
    followers = data.followers
    gained = followers.gained
    return [
        Card("posts", "Posts", charts.whole(current.posts), data.change("posts")),
        *(
            Card(
                metric,
                METRIC_LABELS[metric],
                charts.whole(getattr(current, metric)),
                data.change(metric),
                not_counted=not_counted(metric),
            )
            for metric in ("impressions", "reach", "engagements")
        ),
        Card(
            "rate",
            "Engagement rate",
            charts.percent(current.rate),
            Change(current.rate, previous.rate),
            detail="Average over the posts with a known rate",
        ),
        Card(
            "followers",
            "Followers",
            charts.whole(followers.end),
            followers.change,
            detail="" if gained is None else f"{gained:+,} since the previous period ended",
        ),
    ]


# Beyond this many days the charts show weeks: a year of days is more bars and table rows than
# anyone reads, and drawing them was most of a long period's time (bench/README.md, analytics).
DAILY_UP_TO = 92


@dataclass(frozen=True)
class Bucket:
    label: str  # in the table: "Mon 3 Mar 2026" or "Week of Mon 3 Mar 2026"
    short: str  # on the axis
    days: list[date]


def buckets(period: Period) -> list[Bucket]:
    """The chart's points: each day, or each week from the period's first day."""
    days = period.dates()
    if len(days) <= DAILY_UP_TO:
        return [Bucket(f"{d:%a %-d %b %Y}", f"{d:%-d %b}", [d]) for d in days]
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return [Bucket(f"Week of {w[0]:%a %-d %b %Y}", f"{w[0]:%-d %b}", w) for w in weeks]


def daily_chart(data: Overview, period: Period) -> charts.Chart:
    points = buckets(period)
    by_day = {d.day: d for d in data.daily}
    unit = "day" if len(points[0].days) == 1 else "week"

    def total(bucket: Bucket, name: str) -> int:
        return sum(getattr(by_day[d], name) for d in bucket.days if d in by_day)

    return charts.time_chart(
        key="daily",
        title=f"Impressions and engagements per {unit}",
        description=(
            f"Bars: impressions of the posts published each {unit} from {points[0].label} to "
            f"{points[-1].label}; line (right-hand scale): their engagements."
        ),
        labels=[b.label for b in points],
        axis_labels=[b.short for b in points],
        series=[
            charts.Series("Impressions", [total(b, "impressions") for b in points], style="bars"),
            charts.Series("Engagements", [total(b, "engagements") for b in points], axis="right"),
        ],
    )


def followers_chart(data: Overview, period: Period) -> charts.Chart:
    points = buckets(period)
    # A week shows its last day's count.
    values = [data.followers.by_day[b.days[-1]] for b in points]
    return charts.time_chart(
        key="followers",
        title="Followers",
        description=(
            f"Followers of the accounts in view from {points[0].label} to {points[-1].label}, "
            "as read once a day; a day without a reading keeps the last one."
        ),
        labels=[b.label for b in points],
        axis_labels=[b.short for b in points],
        series=[charts.Series("Followers", values)],
        width=360,
        from_zero=False,
    )


def provided_metrics(insight: PostInsight, fields: tuple[str, ...]) -> list[str]:
    """The metrics worth a column: what the network provides, and anything it did report."""
    return [name for name in METRIC_FIELDS if name in fields or getattr(insight, name) is not None]


def readings_chart(insight: PostInsight, readings: list[MetricSnapshot]) -> charts.Chart:
    """Impressions (or reach) and engagements at each reading, placed at their real times."""
    seen = "impressions" if insight.impressions is not None else "reach"
    times = [timezone.localtime(r.taken_at) for r in readings]  # the workspace's zone
    span = (times[-1] - times[0]).total_seconds() if times else 0
    positions = [(t - times[0]).total_seconds() / span if span else 0.5 for t in times]

    def series_of(name: str) -> list[float | None]:
        return [getattr(r, name) for r in readings]

    return charts.time_chart(
        key="readings",
        title=f"{METRIC_LABELS[seen]} and engagements over time",
        description=(
            f"{len(readings)} readings of this post's {METRIC_LABELS[seen].lower()} and "
            "engagements (right-hand scale) since it was published."
        ),
        labels=[f"{t:%a %-d %b %Y, %H:%M}" for t in times],
        axis_labels=[f"{t:%-d %b}" for t in times],
        positions=positions,
        label_header="Read at",
        series=[
            charts.Series(METRIC_LABELS[seen], series_of(seen)),
            charts.Series("Engagements", series_of("engagements"), axis="right"),
        ],
    )
