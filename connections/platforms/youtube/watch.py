"""The threads of a channel we re-check for new replies, and how busy the channel is.

commentThreads.list lists threads by when they were started, so a reply under an older thread
is only found by asking for that thread again (by id, 50 a call) and comparing its
totalReplyCount. We keep, per account, the recently active threads with the reply count last
seen and the time of their newest comment, in the shared cache: losing it only means that
replies under older threads wait until the thread shows up again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils import timezone

from ..inbox_types import parse_iso

if TYPE_CHECKING:
    from ...models import ConnectedAccount

LIMIT = 100  # threads watched per channel: two commentThreads.list?id= calls (2 units) a poll
DAYS = 14  # a thread quiet for longer is no longer watched


def _key(account: ConnectedAccount) -> str:
    return f"youtube-watch:{account.pk}"


def load(account: ConnectedAccount) -> dict[str, tuple[int, datetime]]:
    """thread id -> (replies last seen, newest comment time)."""
    stored = (cache.get(_key(account)) or {}).get("threads", {})
    return {thread: (count, parse_iso(at)) for thread, (count, at) in stored.items()}


def save(account: ConnectedAccount, threads: dict[str, tuple[int, datetime]]) -> None:
    """Keep the LIMIT most recently active threads of the last DAYS days."""
    cutoff = timezone.now() - timedelta(days=DAYS)
    recent = sorted(
        ((at, thread, count) for thread, (count, at) in threads.items() if at >= cutoff),
        reverse=True,
    )[:LIMIT]
    stored = {thread: (count, at.isoformat()) for at, thread, count in recent}
    cache.set(_key(account), {"threads": stored}, DAYS * 86_400)


def forget(account: ConnectedAccount) -> None:
    """Drop what we watch for an account being disconnected (its thread ids and times)."""
    cache.delete(_key(account))


def last_activity(account: ConnectedAccount) -> datetime | None:
    """When the newest comment we know of on the channel was written; None before the first
    poll (unknown), DAYS ago when nothing was written since."""
    if cache.get(_key(account)) is None:
        return None
    quiet = timezone.now() - timedelta(days=DAYS)
    return max((at for _, at in load(account).values()), default=quiet)
