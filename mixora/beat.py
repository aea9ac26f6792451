"""Celery beat that may be started twice: only the holder of a lease in Redis sends anything.

Beat must run as a single instance, or every periodic job is sent once per instance. Rather
than trusting every deployment to start exactly one, each beat takes a lease (a Redis key
holding its token, with an expiry) before it sends; a second beat waits on standby and takes
over within LEASE of the first one dying. Without Redis (the local mode's file-system broker)
there is only ever the one process `make run` starts, and no lease."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

log = logging.getLogger(__name__)

LEASE = 15.0  # seconds a beat that stopped renewing keeps the lease
RENEW_EVERY = 1.0  # how often the holder renews (and a standby asks)

# Renew when ours, take when free; atomic, so two beats never both hold it.
_TAKE_OR_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_GIVE_UP = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class LeaderScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = uuid.uuid4().hex
        self.key = f"{settings.CELERY_QUEUE_PREFIX}mixora:beat-leader"
        url = getattr(settings, "REDIS_URL", "")
        self.redis = redis.Redis.from_url(url, socket_timeout=2) if url else None
        self._leading = False
        self._checked_at = float("-inf")

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.is_leader():
            return RENEW_EVERY
        return min(super().tick(*args, **kwargs), RENEW_EVERY)

    def is_leader(self) -> bool:
        """Whether this beat holds the lease, asking Redis at most once per RENEW_EVERY."""
        if self.redis is None:
            return True
        now = time.monotonic()
        if now - self._checked_at < RENEW_EVERY:
            return self._leading
        self._checked_at = now
        try:
            lease_ms = int(LEASE * 1000)
            leading = bool(self.redis.eval(_TAKE_OR_RENEW, 1, self.key, self.token, lease_ms))
        except redis.RedisError as exc:  # no broker either: sending would fail anyway
            log.warning("beat cannot reach Redis for its lease: %s", exc)
            leading = False
        if leading != self._leading:
            log.warning("beat %s", "leads: sending periodic jobs" if leading else "on standby")
        self._leading = leading
        return leading

    def close(self) -> None:
        """Give the lease up at a clean stop, so a standby takes over at once."""
        if self.redis is not None and self._leading:
            with contextlib.suppress(redis.RedisError):  # it expires on its own
                self.redis.eval(_GIVE_UP, 1, self.key, self.token)
        super().close()
