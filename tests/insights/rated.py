"""Insights with a known engagement rate, written straight to the database (bulk), for the
recommendation tests that start after collection."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from connections.models import ConnectedAccount
from insights.models import PostInsight
from publishing.models import Post, PostTarget

MONDAY = date(2026, 1, 5)


@dataclass(frozen=True)
class Rated:
    weekday: int
    hour: int
    rate: float
    format: str = "image"
    caption_length: int = 120
    hashtag_count: int = 2


def add_rated(account: ConnectedAccount, rows: list[Rated]) -> None:
    """One published post per row, in the row's local hour of the week."""
    workspace = account.workspace
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, text="x", stage=Post.Stage.PUBLISHED) for _ in rows
    )
    base = PostTarget.objects.filter(account=account).count()
    targets = PostTarget.objects.bulk_create(
        PostTarget(
            post=post,
            account=account,
            state=PostTarget.State.PUBLISHED,
            platform_post_id=f"p{base + i}",
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i, post in enumerate(posts)
    )
    PostInsight.objects.bulk_create(
        PostInsight(
            workspace=workspace,
            account=account,
            target=target,
            platform_post_id=target.platform_post_id,
            published_at=target.published_at,
            local_day=MONDAY + timedelta(days=row.weekday),
            local_weekday=row.weekday,
            local_hour=row.hour,
            format=row.format,
            caption_length=row.caption_length,
            hashtag_count=row.hashtag_count,
            engagement_rate=row.rate,
        )
        for target, row in zip(targets, rows, strict=True)
    )


def noisy(rng: random.Random, rate: float, spread: float = 0.15) -> float:
    """`rate` times log-normal noise, as the emulator's engagement model makes it."""
    return rate * math.exp(rng.gauss(0, spread))
