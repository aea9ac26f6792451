"""X: posts, media, direct messages, replies and mentions (API v2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...models import ConnectedAccount
from .. import Platform
from ..network import (
    Check,
    EventsStatus,
    Feature,
    MeasuresThroughModule,
    MediaFacts,
    Network,
    ReplyRule,
    ReplyTarget,
    Thread,
)
from . import activity, composer, delete, inbox, metrics
from .connector import XConnector
from .webhooks import XWebhooks

# A direct message takes 10,000 characters (docs.x.com/x-api/direct-messages); a reply is a
# post, weighed as posts are.
DM_MAX_LENGTH = 10000


class XNetwork(MeasuresThroughModule, Network):
    platform = Platform.X
    label = "X"
    preview_template = "platforms/previews/x.html"
    can_delete_published = True  # DELETE /2/tweets/:id (x/delete.py)
    demo_inbound = "x"
    demo_script = (
        ("message", "Chloé Martin", "My order #4411 hasn't arrived yet, can you check?"),
        ("comment", "Dev Patel", "Any discount code for students?"),
    )

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_x(text, media, options)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return inbox.features(account)

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        if thread.kind == "message":
            return ReplyRule(True, max_length=DM_MAX_LENGTH)
        handle = account.handle.lstrip("@")
        # Self-serve apps may reply only to a post whose author @mentioned the account (or
        # quoted it, which the inbox does not receive): X changelog 2026-02-23.
        if activity.self_serve() and not inbox.mentions(thread.last_inbound_text, handle):
            return ReplyRule(
                False,
                f"X lets Mixora's plan reply only to posts that mention @{handle}, and this one "
                "does not: answer it on X.",
            )
        return ReplyRule(True, max_length=composer.MAX_WEIGHTED, counter=composer.weighted_length)

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        return inbox.send(self.client, account, target)

    def delete_published(self, account: ConnectedAccount, post_id: str) -> None:
        delete.delete_post(self.client, account, post_id)

    metrics_fields = ("impressions", "engagements", "likes", "comments", "shares", "saves")
    metrics_notes = {
        "impressions": "How many times the post was seen (impression_count).",
        "engagements": "Likes, replies, reposts, quotes and bookmarks added up.",
        "comments": "Replies to the post.",
        "shares": "Reposts and quotes.",
        "saves": "Bookmarks.",
        "reach": "X does not tell apps how many different people saw a post.",
        "clicks": "X reports clicks only privately and for 30 days; Mixora reads public counts.",
        "video_views": "X counts plays on the video itself, not on the post.",
    }
    metrics_module = metrics

    def on_connected(self, account: ConnectedAccount) -> EventsStatus:
        return inbox.start(self.client, account)

    def on_disconnecting(self, account: ConnectedAccount) -> None:
        inbox.stop(self.client, account)


CONNECTOR = XConnector
NETWORKS = (XNetwork(),)
WEBHOOKS = (XWebhooks(),)
