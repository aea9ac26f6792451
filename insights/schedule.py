"""When a published post's metrics are read: soon after publishing, then at widening intervals
up to 30 days, then never again (the numbers have settled)."""

from __future__ import annotations

from datetime import datetime, timedelta

# Age of the post at each reading.
READINGS = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=14),
    timedelta(days=30),
)
# A failed reading is tried again after this long, doubling, at most `MAX_RETRY_DELAY`;
# after `MAX_FAILURES` in a row the reading is skipped and the schedule moves on.
RETRY_DELAY = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=6)
MAX_FAILURES = 5


def first_collection(published_at: datetime, now: datetime) -> datetime:
    """The first reading: an hour after publishing, or now for a post first seen later."""
    return max(published_at + READINGS[0], now)


def next_collection(published_at: datetime, now: datetime) -> datetime | None:
    """The reading after one taken `now`; None when the schedule is over."""
    for age in READINGS:
        if published_at + age > now:
            return published_at + age
    return None


def retry_delay(failures: int) -> timedelta:
    return min(RETRY_DELAY * 2 ** max(failures - 1, 0), MAX_RETRY_DELAY)
