"""The Instagram publishing failures that need more than the four classes say: the publisher
treats them as their base class, `publish` acts on the detail."""

from __future__ import annotations

from datetime import timedelta

from ...errors import RateLimited, Retryable

PUBLISHING_WINDOW = timedelta(hours=24)  # content_publishing_limit's rolling quota_duration


class ContainerLost(Retryable):
    """Instagram lost or spoiled the media container: try again with a new one."""


class PublishingLimit(RateLimited):
    """The account's 24-hour Content Publishing quota is used up."""
