"""How often a channel is polled: busy channels more often, quiet ones less, and everything
slower when the day's polling quota is being spent faster than the day passes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from . import quota, watch

if TYPE_CHECKING:
    from ...models import ConnectedAccount

# (newest comment younger than, multiple of INBOX_POLL_SECONDS); older or none: QUIET.
ACTIVITY = ((timedelta(hours=1), 1), (timedelta(days=1), 2), (timedelta(days=3), 4))
QUIET = 8
MAX_SLOWDOWN = 8  # the quota never stretches the interval more than this


def activity_factor(last: datetime | None, now: datetime) -> int:
    if last is None:  # not polled yet: nothing known, the base interval
        return 1
    age = now - last
    return next((factor for limit, factor in ACTIVITY if age < limit), QUIET)


def quota_factor(now: datetime) -> float:
    """1 while the polling allowance left is at least the part of the day left; slower in
    proportion when it is less (e.g. half the day left, a quarter of the units: twice as slow)."""
    left = quota.polling_share_left()
    if left <= 0:
        return MAX_SLOWDOWN
    return min(MAX_SLOWDOWN, max(1.0, quota.day_left(now) / left))


def interval_seconds(account: ConnectedAccount) -> int:
    now = timezone.now()
    factor = activity_factor(watch.last_activity(account), now) * quota_factor(now)
    return round(settings.INBOX_POLL_SECONDS * factor)
