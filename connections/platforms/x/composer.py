"""What X accepts (docs.x.com/x-api/posts/creation-of-a-post; weighted length from
twitter-text, as X counts it: links 23, emoji and CJK 2)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from .. import Platform
from ..network import Check, MediaFacts, media_counts

with warnings.catch_warnings():  # twitter-text still imports the deprecated pkg_resources
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", UserWarning)
    from twitter_text import parse_tweet

MAX_WEIGHTED = 280


def weighted_length(text: str) -> int:
    return parse_tweet(text).weightedLength


def check_x(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.X, used=weighted_length(text), limit=MAX_WEIGHTED)
    images, videos = media_counts(media)
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
