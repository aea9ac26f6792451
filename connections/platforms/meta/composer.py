"""What Facebook Pages and Instagram accept, checked in the composer and before scheduling.

Facebook: developers.facebook.com/docs/graph-api/reference/page/photos (JPEG/PNG, 4 MB) and
page/feed (63,206 characters). Instagram: developers.facebook.com/docs/instagram-platform/
instagram-graph-api/reference/ig-user/media (JPEG only, 8 MB, 2,200 characters, 30 hashtags,
20 mentions, carousels of up to 10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import Platform
from ..network import HASHTAG, MENTION, Check, MediaFacts, media_counts


def check_facebook(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.FACEBOOK, used=len(text), limit=63206)
    images, videos = media_counts(media)
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


def check_instagram(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.INSTAGRAM, used=len(text), limit=2200)
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
