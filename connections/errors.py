"""How a platform call failed, in the four classes every caller acts on."""

from __future__ import annotations

from datetime import datetime


class PlatformError(Exception):
    """A failed platform call. `message` is readable by the person who asked for it."""

    def __init__(self, message: str, *, platform: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status = status


class Retryable(PlatformError):
    """Transient: a timeout, a 5xx, a platform outage. Safe to try again with backoff."""


class RateLimited(PlatformError):
    """Throttled; try again at `retry_at` (when the platform said, or a cautious guess)."""

    def __init__(self, message: str, *, retry_at: datetime, **kwargs: object) -> None:
        super().__init__(message, **kwargs)
        self.retry_at = retry_at


class AuthExpired(PlatformError):
    """The token is expired, revoked or otherwise dead: refresh once, else reconnect."""


class Permanent(PlatformError):
    """The platform refused for a reason retrying cannot fix."""
