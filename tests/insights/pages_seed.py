"""A history for the analytics pages, written straight to the database (bulk): published posts
with their insights and readings, daily follower counts, and the roll-ups built by
insights.rollups.refresh, as collection leaves them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connections.models import ConnectedAccount
from insights import rollups
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from publishing.models import Post, PostTarget

READING_AGES = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1))


@dataclass(frozen=True)
class Planned:
    """One post: its local day and hour and its final numbers."""

    day: date
    hour: int = 10
    impressions: int | None = 1000
    reach: int | None = 800
    engagements: int | None = 50
    text: str = "Fresh from the roaster"
    format: str = "image"


def add_posts(account: ConnectedAccount, planned: list[Planned]) -> list[PostInsight]:
    """The posts, each with readings growing to its numbers, and the roll-ups of their days."""
    workspace = account.workspace
    zone = ZoneInfo(workspace.timezone)
    base = PostTarget.objects.filter(account=account).count()
    moments = [datetime.combine(p.day, time(p.hour), zone) for p in planned]
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, text=p.text, stage=Post.Stage.PUBLISHED, scheduled_at=when)
        for p, when in zip(planned, moments, strict=True)
    )
    targets = PostTarget.objects.bulk_create(
        PostTarget(
            post=post,
            account=account,
            state=PostTarget.State.PUBLISHED,
            platform_post_id=f"{account.pk}-{base + i}",
            permalink=f"https://example.test/{account.platform}/{base + i}",
            published_at=when,
        )
        for i, (post, when) in enumerate(zip(posts, moments, strict=True))
    )
    insights = PostInsight.objects.bulk_create(
        PostInsight(
            workspace=workspace,
            account=account,
            target=target,
            platform_post_id=target.platform_post_id,
            published_at=when,
            local_day=p.day,
            local_weekday=p.day.weekday(),
            local_hour=p.hour,
            format=p.format,
            caption_length=len(p.text),
            impressions=p.impressions,
            reach=p.reach,
            engagements=p.engagements,
            engagement_rate=_rate(p),
            snapshots=len(READING_AGES),
            last_collected_at=when + READING_AGES[-1],
        )
        for target, p, when in zip(targets, planned, moments, strict=True)
    )
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(
            insight=insight,
            taken_at=insight.published_at + age,
            impressions=_part(p.impressions, n),
            reach=_part(p.reach, n),
            engagements=_part(p.engagements, n),
        )
        for insight, p in zip(insights, planned, strict=True)
        for n, age in enumerate(READING_AGES, start=1)
    )
    rollups.refresh({(account.pk, p.day) for p in planned})
    return insights


def _rate(p: Planned) -> float | None:
    seen = p.impressions or p.reach
    return p.engagements / seen if seen and p.engagements is not None else None


def _part(value: int | None, reading: int) -> int | None:
    return None if value is None else value * reading // len(READING_AGES)


def add_followers(account: ConnectedAccount, counts: dict[date, int]) -> None:
    FollowerCount.objects.bulk_create(
        FollowerCount(workspace=account.workspace, account=account, day=day, followers=count)
        for day, count in counts.items()
    )
