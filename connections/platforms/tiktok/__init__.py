"""TikTok: Login Kit and the Content Posting API (direct posts of one video)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import ConnectedAccount
from .. import Platform
from ..network import Check, Feature, MeasuresThroughModule, MediaFacts, Network
from . import composer, creator, metrics
from .connector import TikTokConnector
from .creator import INTERACTIONS

UNAVAILABLE = (
    "TikTok conversations are not available: TikTok offers no API to read or answer comments "
    "and messages of accounts connected with TikTok Login."
)


class TikTokNetwork(MeasuresThroughModule, Network):
    platform = Platform.TIKTOK
    label = "TikTok"
    options_template = "platforms/tiktok_options.html"
    preview_template = "platforms/previews/tiktok.html"
    # Approximate: TikTok publishes no number; the caption over the video shows about two
    # lines (some 100 characters on a phone) before "more".
    preview_fold = 100

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_tiktok(text, media, options)

    def composer_options(self, data: Any, account: ConnectedAccount) -> dict[str, Any]:
        info = creator.recent_or_none(account)[0]
        return composer.options_from(data, account.pk, info)

    def describe_options(self, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        allowed = [name for name in INTERACTIONS if options.get(f"allow_{name}")]
        level = options.get("privacy_level", "")
        return [
            ("Who can watch", composer.PRIVACY.get(level, "not chosen")),
            ("Allowed", ", ".join(name.capitalize() for name in allowed) or "no interactions"),
        ]

    def composer_context(self, account: ConnectedAccount) -> dict[str, Any]:
        info, problem = creator.recent_or_none(account)
        message = composer.fallback_message(account, problem) if info is None else ""
        return composer.context(info, message)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return [Feature("comment", "Comments and messages", False, False, UNAVAILABLE)]

    metrics_fields = ("impressions", "engagements", "likes", "comments", "shares", "video_views")
    metrics_notes = {
        "impressions": "Views of the video (view_count); TikTok gives apps no numbers for "
        "videos that are not public.",
        "engagements": "Likes, comments and shares added up.",
        "video_views": "The same views: every TikTok post is a video.",
        "reach": "TikTok does not tell apps how many different people watched a video.",
        "saves": "TikTok does not tell apps how often a video was added to favourites.",
        "clicks": "TikTok does not report clicks to apps.",
    }
    metrics_module = metrics

    def followers_refusal(self, account: ConnectedAccount) -> str:
        return metrics.followers_refusal(account)


CONNECTOR = TikTokConnector
NETWORKS = (TikTokNetwork(),)
WEBHOOKS = ()
