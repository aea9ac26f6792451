"""The Google project's daily YouTube Data API quota, shared by every workspace.

One API project serves every tenant, so one counter per Pacific day (quotas reset at midnight
Pacific Time) lives in the shared cache and every call is charged there BEFORE it is sent.
Replies (and the rare reads a person waits for) may spend the whole allocation; polling only
spends what is left above a reserve, so it can never starve them. A call the budget refuses
raises RateLimited until the next Pacific midnight without any HTTP.

Costs: developers.google.com/youtube/data/determine_quota_cost — 10,000 units a day for
everything but search.list and videos.insert, which "have their own quota buckets" of 100
calls a day at 1 per call (the old 1,600-unit videos.insert is gone from the current
calculator). list calls cost 1; comments.insert / commentThreads.insert 50. The
commentThreads.list reference page and the calculator both say 1 unit a call; some copies of
the method page add per-part costs, so the units are counted per call here and a quotaExceeded
from Google (the truth) closes the day's budget at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ...errors import RateLimited

PACIFIC = ZoneInfo("America/Los_Angeles")
LIST = 1
INSERT = 50
DAY_SECONDS = 26 * 3600  # a key outlives its Pacific day (23-25 h with DST), then expires


class QuotaExhausted(RateLimited):
    """The project's daily quota is used up (ours said so, or Google's quotaExceeded)."""


def pacific_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(PACIFIC).date()


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    tomorrow = pacific_today(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC)


def _key(bucket: str) -> str:
    return f"youtube-quota:{bucket}:{pacific_today().isoformat()}"


def _charge(bucket: str, amount: int, limit: int, message: str) -> None:
    """Add `amount` to today's counter atomically, or refuse (and take it back) past `limit`."""
    key = _key(bucket)
    cache.add(key, 0, DAY_SECONDS)
    try:
        used = cache.incr(key, amount)
    except ValueError:  # expired between add and incr (midnight): start the new day
        cache.add(key, 0, DAY_SECONDS)
        used = cache.incr(key, amount)
    if used > limit:
        cache.decr(key, amount)
        raise QuotaExhausted(message, retry_at=next_pacific_midnight(), platform="google")


def spend(units: int, *, polling: bool = False) -> None:
    """Charge one Data API call; polling stops short of the reserve kept for replies."""
    limit = settings.YOUTUBE_DAILY_QUOTA_UNITS
    if polling:
        limit -= settings.YOUTUBE_QUOTA_RESERVE_UNITS
        message = "YouTube's daily quota left is kept for replies: polling resumes at midnight PT."
    else:
        message = "Mixora's daily YouTube quota is used up; it resets at midnight Pacific time."
    _charge("units", units, limit, message)


def spend_upload() -> None:
    """Charge one videos.insert against its own daily bucket."""
    message = "Mixora reached YouTube's daily upload allowance; it resets at midnight Pacific time."
    _charge("uploads", 1, settings.YOUTUBE_DAILY_UPLOADS, message)


def exhaust() -> None:
    """Google said quotaExceeded: nothing more today, whatever our count said."""
    cache.set(_key("units"), settings.YOUTUBE_DAILY_QUOTA_UNITS, DAY_SECONDS)


def used_units() -> int:
    return int(cache.get(_key("units")) or 0)


def polling_share_left() -> float:
    """The part (0-1) of today's polling allowance still unspent."""
    allowance = settings.YOUTUBE_DAILY_QUOTA_UNITS - settings.YOUTUBE_QUOTA_RESERVE_UNITS
    if allowance <= 0:
        return 0.0
    return max(0.0, min(1.0, (allowance - used_units()) / allowance))


def day_left(now: datetime | None = None) -> float:
    """The part (0-1) of the Pacific day still ahead."""
    now = now or timezone.now()
    seconds = (next_pacific_midnight(now) - now).total_seconds()
    return max(0.0, min(1.0, seconds / 86_400))
