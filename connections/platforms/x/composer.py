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
# twitter-text marks a post holding any of these invalid (config: invalidCharacters), and X
# refuses it; parse_tweet still counts it within 280 (github.com/twitter/twitter-text).
INVALID_CHARACTERS = {"\ufffe": "U+FFFE", "\ufeff": "U+FEFF", "\uffff": "U+FFFF"}


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
    if found := [name for char, name in INVALID_CHARACTERS.items() if char in text]:
        check.problems.append(
            f"X refuses text containing the invisible character {', '.join(found)}: remove it "
            "(it often comes from pasting)."
        )
    if videos and (videos > 1 or images):
        check.problems.append("X takes one video on its own, or up to 4 images.")
    if images > 4:
        check.problems.append("X takes at most 4 images.")
    if any(m.kind == "image" and m.size > 5 * 1024 * 1024 for m in media):
        check.problems.append("X images must be 5 MB or smaller.")
    return check
