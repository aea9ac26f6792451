"""What YouTube accepts (developers.google.com/youtube/v3/docs/videos: one video, a title of
up to 100 characters, a description of up to 5,000 bytes, no < or >, a privacy status)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import Platform
from ..network import Check, MediaFacts, media_counts

PRIVACY = ("public", "unlisted", "private")


def check_youtube(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    title = (options.get("title") or "").strip()
    check = Check(Platform.YOUTUBE, used=len(title), limit=100, counter_label="title characters")
    images, videos = media_counts(media)
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
    if options.get("privacy", "public") not in PRIVACY:
        check.problems.append("Choose public, unlisted or private for YouTube.")
    return check
