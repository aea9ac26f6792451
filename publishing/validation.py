"""What each platform accepts, checked before anything is scheduled and shown live in the
composer. Limits come from the platforms' documentation (docs/platform-apis.md in shared/)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from connections.platforms import Platform

with warnings.catch_warnings():  # twitter-text still imports the deprecated pkg_resources
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", UserWarning)
    from twitter_text import parse_tweet

HASHTAG = re.compile(r"(?<!\w)#\w+")
MENTION = re.compile(r"(?<!\w)@[\w.]+")
YOUTUBE_PRIVACY = ("public", "unlisted", "private")
TIKTOK_PRIVACY = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")


@dataclass(frozen=True)
class MediaFacts:
    kind: str  # "image" | "video"
    content_type: str
    size: int
    duration: float | None = None


@dataclass
class Check:
    """The verdict for one target: problems block scheduling; the counter feeds the UI."""

    platform: str
    problems: list[str] = field(default_factory=list)
    used: int = 0
    limit: int = 0
    counter_label: str = "characters"

    @property
    def ok(self) -> bool:
        return not self.problems


def x_weighted_length(text: str) -> int:
    return parse_tweet(text).weightedLength


def _media_counts(media: list[MediaFacts]) -> tuple[int, int]:
    images = sum(1 for m in media if m.kind == "image")
    return images, len(media) - images


def check_x(text: str, media: list[MediaFacts], options: dict[str, Any]) -> Check:
    check = Check(Platform.X, used=x_weighted_length(text), limit=280)
    images, videos = _media_counts(media)
    if not text.strip() and not media:
        check.problems.append("X needs text or media.")
    if check.used > check.limit:
        check.problems.append(
            f"X allows 280 characters (links count 23, emoji and CJK count 2): this is "
            f"{check.used}."
        )
    if videos and (videos > 1 or images):
        check.problems.append("X takes one video on its own, or up to 4 images.")
    if images > 4:
        check.problems.append("X takes at most 4 images.")
    if any(m.kind == "image" and m.size > 5 * 1024 * 1024 for m in media):
        check.problems.append("X images must be 5 MB or smaller.")
    return check


def check_instagram(text: str, media: list[MediaFacts], options: dict[str, Any]) -> Check:
    check = Check(Platform.INSTAGRAM, used=len(text), limit=2200)
    images, videos = _media_counts(media)
    if not media:
        check.problems.append("Instagram needs at least one image or video.")
    if len(media) > 10:
        check.problems.append("Instagram carousels take at most 10 items.")
    if check.used > check.limit:
        check.problems.append(f"Instagram captions allow 2,200 characters: this is {check.used}.")
    if len(HASHTAG.findall(text)) > 30:
        check.problems.append("Instagram allows at most 30 hashtags.")
    if len(MENTION.findall(text)) > 20:
        check.problems.append("Instagram allows at most 20 @-mentions.")
    if any(m.kind == "image" and m.content_type != "image/jpeg" for m in media):
        check.problems.append("Instagram publishes JPEG images only.")
    if any(m.kind == "image" and m.size > 8 * 1024 * 1024 for m in media):
        check.problems.append("Instagram images must be 8 MB or smaller.")
    return check


def check_facebook(text: str, media: list[MediaFacts], options: dict[str, Any]) -> Check:
    check = Check(Platform.FACEBOOK, used=len(text), limit=63206)
    images, videos = _media_counts(media)
    if not text.strip() and not media:
        check.problems.append("Facebook needs text or media.")
    if check.used > check.limit:
        check.problems.append("Facebook posts allow 63,206 characters.")
    if videos and (videos > 1 or images):
        check.problems.append("Facebook takes one video on its own, or images.")
    if any(
        m.kind == "image"
        and (m.size > 4 * 1024 * 1024 or m.content_type not in ("image/jpeg", "image/png"))
        for m in media
    ):
        check.problems.append("Facebook photos must be JPEG or PNG, 4 MB or smaller.")
    return check


def check_tiktok(text: str, media: list[MediaFacts], options: dict[str, Any]) -> Check:
    check = Check(Platform.TIKTOK, used=len(text.encode("utf-16-le")) // 2, limit=2200)
    images, videos = _media_counts(media)
    if videos != 1 or images:
        check.problems.append("TikTok needs exactly one video.")
    if check.used > check.limit:
        check.problems.append(f"TikTok captions allow 2,200 characters: this is {check.used}.")
    allowed = options.get("privacy_options") or TIKTOK_PRIVACY
    if options.get("privacy_level") not in allowed:
        check.problems.append("Choose who can see this TikTok.")
    max_duration = options.get("max_duration") or 600
    if any(m.duration and m.duration > max_duration for m in media):
        check.problems.append(f"This TikTok account posts videos up to {max_duration} seconds.")
    return check


def check_youtube(text: str, media: list[MediaFacts], options: dict[str, Any]) -> Check:
    title = (options.get("title") or "").strip()
    check = Check(Platform.YOUTUBE, used=len(title), limit=100, counter_label="title characters")
    images, videos = _media_counts(media)
    if videos != 1 or images:
        check.problems.append("YouTube needs exactly one video.")
    if not title:
        check.problems.append("YouTube needs a title.")
    elif len(title) > 100:
        check.problems.append(f"YouTube titles allow 100 characters: this is {len(title)}.")
    if "<" in title or ">" in title or "<" in text or ">" in text:
        check.problems.append("YouTube titles and descriptions cannot contain < or >.")
    if len(text.encode()) > 5000:
        check.problems.append("YouTube descriptions allow 5,000 bytes.")
    if options.get("privacy", "public") not in YOUTUBE_PRIVACY:
        check.problems.append("Choose public, unlisted or private for YouTube.")
    return check


CHECKS = {
    Platform.X: check_x,
    Platform.INSTAGRAM: check_instagram,
    Platform.FACEBOOK: check_facebook,
    Platform.TIKTOK: check_tiktok,
    Platform.YOUTUBE: check_youtube,
}


def check_target(
    platform: str, text: str, media: list[MediaFacts], options: dict[str, Any]
) -> Check:
    return CHECKS[platform](text, media, options)
