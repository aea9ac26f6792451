"""Which published posts analytics follows: every target the publisher settled as published,
described once (format, caption length, hashtags, local time) for the recommendations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.utils import timezone

from connections.platforms.network import HASHTAG
from publishing.models import PostTarget

from .models import PostInsight
from .schedule import first_collection

ENROL_BATCH = 1000


def post_format(images: int, videos: int) -> str:
    if images + videos > 1:
        return PostInsight.Format.CAROUSEL
    if videos:
        return PostInsight.Format.VIDEO
    if images:
        return PostInsight.Format.IMAGE
    return PostInsight.Format.TEXT


def describe(
    target: PostTarget, images: int, videos: int, tz_name: str, now: datetime
) -> PostInsight:
    """A new (unsaved) insight of a published target."""
    text = target.caption or target.post.text
    published_at: datetime = target.published_at
    local = published_at.astimezone(ZoneInfo(tz_name))
    return PostInsight(
        workspace_id=target.post.workspace_id,
        account_id=target.account_id,
        target=target,
        platform_post_id=target.platform_post_id,
        published_at=published_at,
        local_day=local.date(),
        local_weekday=local.weekday(),
        local_hour=local.hour,
        format=post_format(images, videos),
        caption_length=len(text),
        hashtag_count=len(HASHTAG.findall(text)),
        next_collect_at=first_collection(published_at, now),
    )


def _received(kind: str) -> Count:
    """How many files of `kind` the target's account received: its own media, or the post's
    shared set (as `PostTarget.attachments` reads them, here in the one query)."""
    return Count(
        "post__attachments",
        filter=Q(post__attachments__media__kind=kind)
        & (
            Q(own_media=False, post__attachments__account__isnull=True)
            | Q(own_media=True, post__attachments__account=F("account"))
        ),
    )


def enrol_published(now: datetime | None = None, limit: int = ENROL_BATCH) -> list[PostInsight]:
    """Start following the published targets analytics does not know yet; the new insights."""
    now = now or timezone.now()
    targets = list(
        PostTarget.objects.filter(
            state=PostTarget.State.PUBLISHED, insight__isnull=True, published_at__isnull=False
        )
        .exclude(platform_post_id="")
        .select_related("post__workspace")
        .annotate(
            images=_received("image"),
            videos=_received("video"),
        )[:limit]
    )
    insights = [
        describe(target, target.images, target.videos, target.post.workspace.timezone, now)
        for target in targets
    ]
    return PostInsight.objects.bulk_create(insights, ignore_conflicts=True)
