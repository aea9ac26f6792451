"""What TikTok accepts (developers.tiktok.com/doc/content-posting-api-reference-direct-post:
one video, a 2,200-character caption counted in UTF-16 units, a privacy level the creator
allows, a duration within the creator's maximum)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import Platform
from ..network import Check, MediaFacts, media_counts

PRIVACY = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}


def check_tiktok(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.TIKTOK, used=len(text.encode("utf-16-le")) // 2, limit=2200)
    images, videos = media_counts(media)
    if videos != 1 or images:
        check.problems.append("TikTok needs exactly one video.")
    if check.used > check.limit:
        check.problems.append(f"TikTok captions allow 2,200 characters: this is {check.used}.")
    allowed = options.get("privacy_options") or tuple(PRIVACY)
    if options.get("privacy_level") not in allowed:
        check.problems.append("Choose who can see this TikTok.")
    max_duration = options.get("max_duration") or 600
    if any(m.duration and m.duration > max_duration for m in media):
        check.problems.append(f"This TikTok account posts videos up to {max_duration} seconds.")
    return check
