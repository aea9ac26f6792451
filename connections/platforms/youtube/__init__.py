"""YouTube: Google OAuth, resumable video uploads and video comments (Data API v3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ...models import ConnectedAccount
from .. import Platform
from ..inbox_types import InboundItem
from ..network import (
    Check,
    Feature,
    MeasuresThroughModule,
    MediaFacts,
    Network,
    ReplyRule,
    ReplyTarget,
    Thread,
    missing_scopes,
)
from . import cadence, composer, delete, inbox, metrics, watch
from .connector import GoogleConnector

MANAGE_COMMENTS = "https://www.googleapis.com/auth/youtube.force-ssl"
# comments.insert takes 10,000 characters (developers.google.com/youtube/v3/docs/comments).
COMMENT_MAX_LENGTH = 10000


class YouTubeNetwork(MeasuresThroughModule, Network):
    platform = Platform.YOUTUBE
    label = "YouTube"
    options_template = "platforms/youtube_options.html"
    preview_template = "platforms/previews/youtube.html"
    caption_label = "Description"
    can_delete_published = True  # videos.delete (youtube/delete.py)
    polls_inbox = True
    demo_inbound = "google"
    demo_script = (("comment", "Emma Schulz", "Great video! Which camera did you use? 🎥"),)

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_youtube(text, media, options)

    def composer_options(self, data: Any, account: ConnectedAccount) -> dict[str, Any]:
        key = account.pk
        privacy = data.get(f"privacy_{key}", "public")
        return {
            "title": data.get(f"title_{key}", "").strip()[:200],
            "privacy": privacy if privacy in composer.PRIVACY else "public",
        }

    def describe_options(self, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Title", str(options.get("title") or "none")),
            ("Visibility", str(options.get("privacy") or "public").capitalize()),
        ]

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        minutes = max(1, round(cadence.interval_seconds(account) / 60))
        polled = (
            f"Checked for new comments every {minutes} min (YouTube has no webhooks; busy "
            "channels are checked more often, and all less when the daily quota runs low)."
        )
        missing = missing_scopes(account, MANAGE_COMMENTS)
        detail = "Reconnect and allow managing comments to answer here." if missing else polled
        return [Feature("comment", "Video comments", True, not missing, detail)]

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        return ReplyRule(True, max_length=COMMENT_MAX_LENGTH)

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        return inbox.send(self.client, account, target)

    def poll(self, account: ConnectedAccount, since: datetime | None) -> Iterator[InboundItem]:
        return inbox.items(self.client, account, since)

    def delete_published_refusal(self, account: ConnectedAccount) -> str:
        if missing_scopes(account, MANAGE_COMMENTS):  # youtube.force-ssl also manages videos
            return "Reconnect the channel and allow managing its videos to delete it there."
        return ""

    def delete_published(self, account: ConnectedAccount, post_id: str) -> None:
        delete.delete_video(self.client, account, post_id)

    metrics_fields = ("impressions", "engagements", "likes", "comments", "video_views")
    metrics_notes = {
        "impressions": "Views of the video (viewCount).",
        "engagements": "Likes and comments added up (YouTube shows no dislikes since 2021).",
        "video_views": "The same views: every YouTube post is a video.",
        "reach": "The Data API has no unique viewers; YouTube Analytics does, not used here.",
        "shares": "The Data API does not count shares.",
        "saves": "YouTube no longer counts favourites (favoriteCount is always 0).",
        "clicks": "The Data API does not count clicks.",
    }
    metrics_module = metrics

    def on_disconnecting(self, account: ConnectedAccount) -> None:
        watch.forget(account)

    def poll_interval_seconds(self, account: ConnectedAccount) -> int:
        return cadence.interval_seconds(account)


CONNECTOR = GoogleConnector
NETWORKS = (YouTubeNetwork(),)
WEBHOOKS = ()
