"""What the emulated platforms publish: posts, and the knobs that shape how publishing behaves
(`/_control/behaviour`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulator.media import Blob

# Knob defaults per platform; `/_control/behaviour` changes them until the next reset.
BEHAVIOUR: dict[str, dict[str, object]] = {
    "meta": {
        "instagram_container_polls": 1,  # status polls answering IN_PROGRESS before the end
        "instagram_container_error": None,  # a text: new containers end in ERROR with it
        "instagram_publish_quota": 100,  # media_publish calls per account per 24 h
        "media_fetch_timeout": 5.0,  # seconds to download an image_url / url / file_url
    },
    "x": {
        "media_processing_polls": 1,  # STATUS polls answering in_progress before the end
        "media_processing_error": None,  # a text: new videos/GIFs end in failed with it
        "api_plan": "self_serve",  # the app's plan: self_serve, enterprise or partner
    },
    "tiktok": {
        "status_polls": 1,  # status/fetch polls answering PROCESSING_* before the end
        "fail_reason": None,  # e.g. "duration_check_failed": new posts end in FAILED
        "media_fetch_timeout": 5.0,  # seconds to download a PULL_FROM_URL video or photo
    },
    "google": {
        "force_private": False,  # an unaudited API project: every upload is locked private
        "daily_quota": 10_000,  # Data API units per project (client) per Pacific day
    },
    "linkedin": {
        "image_processing_polls": 1,  # image GETs answering PROCESSING before AVAILABLE
        "refresh_tokens": False,  # the app is approved for programmatic refresh tokens
    },
}


@dataclass
class Post:
    platform: str  # the emulator platform: meta, x, tiktok, google
    network: str  # facebook, instagram, x, tiktok, youtube
    account_id: str  # page, Instagram account, X user, TikTok open_id or YouTube channel
    id: str
    kind: str  # what sort of post, in the platform's own words (e.g. "REELS", "photo")
    text: str  # the message, caption, title or post text
    created_at: float
    permalink: str
    media: list[Blob] = field(default_factory=list)
    details: dict = field(default_factory=dict)  # platform-specific extras

    def to_json(self) -> dict:
        return {
            "platform": self.platform,
            "network": self.network,
            "account_id": self.account_id,
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "media_count": len(self.media),
            "media": [blob.to_json() for blob in self.media],
            "created_time": iso(self.created_at),
            "permalink": self.permalink,
            "details": self.details,
        }


def iso(moment: float) -> str:
    """2026-05-01T10:00:00Z"""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Unix seconds of an ISO 8601 date-time with a zone; ValueError otherwise."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.timestamp()
