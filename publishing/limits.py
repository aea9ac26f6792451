"""Scheduled posts a workspace uses against its plan (mixora.limits.SCHEDULED_POSTS_MONTH).

A post counts in the calendar month, in the workspace's time zone, of its `scheduled_at`, once
it is on the schedule or has gone out (stage "scheduled" or "published"): a draft, a post in
review or one moved back to drafts does not count, and publishing does not give its place
back. The same count decides a new scheduling and shows on the billing page ("this month":
the current month in the workspace's zone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import Post
from .timezones import range_bounds_utc, to_local

if TYPE_CHECKING:
    from accounts.models import Workspace

COUNTED_STAGES = (Post.Stage.SCHEDULED, Post.Stage.PUBLISHED)


def month_bounds_utc(moment: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local calendar month that holds `moment`."""
    local = to_local(moment, tz_name).date()
    first = local.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return range_bounds_utc(first, date.fromordinal(following.toordinal() - 1), tz_name)


def scheduled_in_month(
    workspace: Workspace, moment: datetime, *, except_post: int | None = None
) -> int:
    """Posts counted in the month of `moment` (`except_post`: the one being (re)scheduled)."""
    start, end = month_bounds_utc(moment, workspace.timezone)
    posts = Post.objects.filter(
        workspace=workspace,
        stage__in=COUNTED_STAGES,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
    )
    if except_post is not None:
        posts = posts.exclude(pk=except_post)
    return posts.count()


def scheduled_this_month(workspace: Workspace) -> int:
    return scheduled_in_month(workspace, timezone.now())
