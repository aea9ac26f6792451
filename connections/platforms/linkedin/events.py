"""LinkedIn's Organization Social Action Notifications as inbox items: members' comments on the
organisation's posts (action COMMENT); likes, shares, mentions and edits are not inbox items.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-social-action-notifications
The body is {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [...]},
up to 10 a batch; a notification repeated (redelivery, one per subscribed admin) is stored
once, by the comment's URN."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import Platform
from ..inbox_types import InboundItem, from_millis
from .connector import ORG
from .inbox import commenter_name

EVENT_TYPE = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"


def parse(body: dict[str, Any]) -> Iterator[InboundItem]:
    if body.get("type") != EVENT_TYPE:
        return
    for notification in body.get("notifications") or []:
        if isinstance(notification, dict) and notification.get("action") == "COMMENT":
            item = _comment(notification)
            if item is not None:
                yield item


def _comment(notification: dict[str, Any]) -> InboundItem | None:
    org = str(notification.get("organizationalEntity") or "")
    activity = notification.get("decoratedGeneratedActivity") or {}
    comment = activity.get("comment") if isinstance(activity, dict) else None
    if not org.startswith(ORG) or not isinstance(comment, dict) or not comment.get("entity"):
        return None
    urn = str(comment["entity"])  # urn:li:comment:(urn:li:activity:X,ID), as the API lists it
    actor = str(comment.get("owner") or "")
    post = notification.get("decoratedSourcePost") or {}
    return InboundItem(
        platform=Platform.LINKEDIN,
        account_external_id=org.removeprefix(ORG),
        kind="comment",
        # The notification does not say which comment a nested comment answers, so each one
        # starts a thread (polling, which reads parentComment, threads those it sees first).
        thread_key=urn,
        external_id=urn,
        participant_id=actor,
        participant_name=commenter_name(actor, org),
        text=str(comment.get("text") or ""),
        sent_at=from_millis(notification.get("lastModifiedAt") or 0),
        # The share URN, as polling stores it (and as Mixora's published posts hold it).
        external_post_id=str(post.get("entity") or "") if isinstance(post, dict) else "",
        from_account=actor == org,
    )
