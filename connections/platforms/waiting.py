"""Waiting on a platform's processing (Instagram containers, X video, TikTok posts)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings

from ..errors import Retryable


def wait_until[T](check: Callable[[], T | None], *, what: str, platform: str) -> T:
    """Call `check` until it returns something; give up (retryably) after the configured
    number of polls. The interval and count are settings: minutes in production, moments in
    tests against the emulator."""
    for attempt in range(settings.PUBLISH_POLL_ATTEMPTS):
        result = check()
        if result is not None:
            return result
        if attempt + 1 < settings.PUBLISH_POLL_ATTEMPTS:
            time.sleep(settings.PUBLISH_POLL_INTERVAL)
    raise Retryable(f"{what} is still processing; Mixora will check again.", platform=platform)
