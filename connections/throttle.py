"""Per-account publishing budgets shared by every worker: a network that limits how many posts
one account may make per window (its connector's `publish_budget`) never sees more than that
from Mixora, however many posts of the account are in flight at once.

A budget is a fixed window in Redis that starts with the first post, as the networks' own
windows do: one atomic script counts the post and reads the window's end. A platform that
throttles anyway (the account also posts from elsewhere) closes the budget until the reset it
names, so the account's other in-flight posts stop calling it. Without Redis (the embedded
`make run` mode, one worker) the window lives in the process."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

# KEYS[1] the window's counter; ARGV[1] its length in ms. Returns (posts in the window, ms left).
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {n, left}
"""


@dataclass(frozen=True)
class Budget:
    """At most `posts` per `seconds` for one account."""

    posts: int
    seconds: int


@dataclass(frozen=True)
class Slot:
    granted: bool
    reset_at: datetime  # when the current window ends


def _key(account_id: int) -> str:
    from django.core.cache import cache

    return cache.make_key(f"publish-budget:{account_id}")  # under the cache's prefix


def take(account_id: int, budget: Budget) -> Slot:
    """Count one post of the account against its budget; refused once the window is used up."""
    count, left_ms = _backend().take(_key(account_id), budget.seconds * 1000)
    reset_at = datetime.fromtimestamp(time.time() + left_ms / 1000, tz=UTC)
    return Slot(count <= budget.posts, reset_at)


def close(account_id: int, budget: Budget, until: datetime) -> None:
    """The platform refused for now: no slot for the account until `until`."""
    left_ms = int((until.timestamp() - time.time()) * 1000)
    if left_ms > 0:
        _backend().fill(_key(account_id), budget.posts, left_ms)


class _Redis:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)  # a thread-safe connection pool
        self.script = self.client.register_script(_TAKE)

    def take(self, key: str, period_ms: int) -> tuple[int, int]:
        count, left = self.script(keys=[key], args=[period_ms])
        return int(count), int(left)

    def fill(self, key: str, posts: int, left_ms: int) -> None:
        self.client.set(key, posts, px=left_ms)


class _Local:
    """One process's windows, for the embedded mode's single worker."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[float, int]] = {}  # key -> (ends at, posts)

    def take(self, key: str, period_ms: int) -> tuple[int, int]:
        now = time.monotonic()
        with self.lock:
            ends, count = self.windows.get(key, (0.0, 0))
            if now >= ends:
                ends, count = now + period_ms / 1000, 0
            self.windows[key] = (ends, count + 1)
        return count + 1, int((ends - now) * 1000)

    def fill(self, key: str, posts: int, left_ms: int) -> None:
        with self.lock:
            self.windows[key] = (time.monotonic() + left_ms / 1000, posts)


@functools.cache
def _backend() -> _Redis | _Local:
    return _Redis(settings.REDIS_URL) if settings.REDIS_URL else _Local()
