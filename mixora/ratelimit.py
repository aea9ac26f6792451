"""A fixed-window rate limit in the cache, for public forms allauth does not cover."""

from __future__ import annotations

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made within the window."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # the window expired between add and incr: this is its first hit
        cache.set(cache_key, 1, timeout=window_seconds)
        return True
