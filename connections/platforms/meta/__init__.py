"""Meta: Facebook Pages and the Instagram professional accounts linked to them. One Facebook
log-in grants both, and one webhook endpoint carries both platforms' events."""

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
    MediaFacts,
    Network,
    PostMetrics,
    ReplyRule,
    ReplyTarget,
    Thread,
    missing_scopes,
    scoped_feature,
)
from . import composer, delete, inbox, metrics, subscriptions
from .connector import MetaConnector
from .webhooks import MetaWebhooks

# Characters a reply may have (Send API: 2,000 for Messenger, 1,000 for Instagram; comments
# 8,000 on Facebook, 2,200 on Instagram).
_LIMITS = {
    (Platform.FACEBOOK, "message"): 2000,
    (Platform.FACEBOOK, "comment"): 8000,
    (Platform.INSTAGRAM, "message"): 1000,
    (Platform.INSTAGRAM, "comment"): 2200,
}


class _MetaNetwork(Network):
    demo_inbound = "meta"
    demo_script = (
        ("message", "Ana Lima", "Hi! Do you ship the spring collection to Portugal?"),
        ("comment", "Ben Okafor", "Love this. Is there a size guide somewhere?"),
    )
    comment_edge = ""
    profile_fields = ""

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        limit = _LIMITS[(self.platform, thread.kind)]
        if thread.kind == "message":
            return inbox.message_rule(thread.last_inbound_at, now, limit)
        return ReplyRule(True, max_length=limit)

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        return inbox.send(self.client, account, target, self.comment_edge)

    def sender_profile(self, account: ConnectedAccount, person_id: str) -> dict[str, str]:
        return inbox.profile(self.client, account, person_id, self.profile_fields)

    def on_connected(self, account: ConnectedAccount) -> EventsStatus:
        return subscriptions.install(self.client, account)

    def on_disconnecting(self, account: ConnectedAccount) -> None:
        subscriptions.uninstall(self.client, account)


class FacebookNetwork(_MetaNetwork):
    platform = Platform.FACEBOOK
    label = "Facebook Page"
    preview_template = "platforms/previews/facebook.html"
    # Approximate: Facebook publishes no number; a long post shows about 480 characters
    # (five lines on a phone) before "See more", per third-party guides.
    preview_fold = 480
    comment_edge = "comments"
    profile_fields = "name,profile_pic"
    can_delete_published = True  # DELETE /{page-post-id} (meta/delete.py); not on Instagram

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_facebook(text, media, options)

    def delete_published_refusal(self, account: ConnectedAccount) -> str:
        if missing_scopes(account, delete.MANAGE_POSTS):
            return f"Reconnect the Page and allow {delete.MANAGE_POSTS} to delete it there."
        return ""

    def delete_published(self, account: ConnectedAccount, post_id: str) -> None:
        delete.delete_page_post(self.client, account, post_id)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return [
            scoped_feature(account, "message", "Messenger", "pages_messaging"),
            scoped_feature(account, "comment", "Page comments", "pages_manage_engagement"),
        ]

    metrics_fields = (
        "impressions",
        "reach",
        "engagements",
        "likes",
        "comments",
        "shares",
        "clicks",
        "video_views",
    )
    metrics_notes = {
        "impressions": "Views: how many times the post was on screen (post_media_view).",
        "reach": "Viewers: how many people saw the post at least once.",
        "engagements": "Reactions, comments and shares added up (clicks are counted apart).",
        "likes": "All reactions: Like, Love, Haha, Wow, Sad and Angry.",
        "saves": "Facebook does not tell apps how often a Page post was saved.",
        "video_views": "Video posts only: views of 3 seconds or more.",
    }

    def metrics_refusal(self, account: ConnectedAccount) -> str:
        return metrics.refusal(account, metrics.FACEBOOK_SCOPES, "Page")

    def post_metrics(
        self, account: ConnectedAccount, post_ids: list[str]
    ) -> dict[str, PostMetrics]:
        read = {
            post_id: metrics.facebook_post(self.client, account, post_id) for post_id in post_ids
        }
        return {post_id: reading for post_id, reading in read.items() if reading is not None}

    def follower_count(self, account: ConnectedAccount) -> int | None:
        return metrics.followers(self.client, account)


class InstagramNetwork(_MetaNetwork):
    platform = Platform.INSTAGRAM
    label = "Instagram"
    preview_template = "platforms/previews/instagram.html"
    # Approximate: Instagram publishes no number; the feed shows about the first 125
    # characters (two lines) before "more", per third-party guides such as
    # https://charactercounter.com/instagram.
    preview_fold = 125
    comment_edge = "replies"
    profile_fields = "name,username,profile_pic"

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_instagram(text, media, options)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return [
            scoped_feature(account, "message", "Direct messages", "instagram_manage_messages"),
            scoped_feature(account, "comment", "Comments", "instagram_manage_comments"),
        ]

    metrics_fields = ("impressions", "reach", "engagements", "likes", "comments", "shares", "saves")
    metrics_notes = {
        "impressions": "Views: how many times the post was played or shown.",
        "reach": "Accounts reached: how many accounts saw the post.",
        "engagements": "Total interactions: likes, saves, comments and shares.",
        "clicks": "Instagram does not report clicks on a post to apps.",
        "video_views": "Instagram counts video plays as views (Impressions) since 2025.",
    }

    def metrics_refusal(self, account: ConnectedAccount) -> str:
        return metrics.refusal(account, metrics.INSTAGRAM_SCOPES, "Instagram account")

    def post_metrics(
        self, account: ConnectedAccount, post_ids: list[str]
    ) -> dict[str, PostMetrics]:
        read = {
            media_id: metrics.instagram_media(self.client, account, media_id)
            for media_id in post_ids
        }
        return {media_id: reading for media_id, reading in read.items() if reading is not None}

    def follower_count(self, account: ConnectedAccount) -> int | None:
        return metrics.followers(self.client, account)


CONNECTOR = MetaConnector
NETWORKS = (FacebookNetwork(), InstagramNetwork())
WEBHOOKS = (MetaWebhooks(),)
