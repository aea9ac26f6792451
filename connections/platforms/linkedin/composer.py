"""What a LinkedIn organisation post takes (learn.microsoft.com/en-us/linkedin/marketing/
community-management/shares/posts-api, images-api, multiimage-post-api, videos-api):
commentary of up to 3,000 characters, counted as sent, i.e. with the backslashes that escape
reserved characters; one image, or 2 to 20 images, each a JPG, PNG or GIF; or one MP4 video of
3 seconds to 30 minutes and 75 KB to 500 MB."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import Platform
from ..network import Check, MediaFacts, media_counts
from .text import escaped_length

MAX_LENGTH = 3000
MAX_IMAGES = 20
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
VIDEO_BYTES = (75 * 1024, 500 * 1024 * 1024)
VIDEO_SECONDS = (3, 30 * 60)


def check_linkedin(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.LINKEDIN, used=escaped_length(text), limit=MAX_LENGTH)
    images, videos = media_counts(media)
    if not text.strip() and not media:
        check.problems.append("LinkedIn needs text, images or a video.")
    if check.used > check.limit:
        check.problems.append(
            f"LinkedIn allows 3,000 characters, counting the characters | {{ }} @ [ ] ( ) < > "
            f"# \\ * _ ~ twice: this is {check.used}."
        )
    if videos and (videos > 1 or images):
        check.problems.append("LinkedIn takes one video on its own, or up to 20 images.")
    for video in (m for m in media if m.kind == "video"):
        if video.content_type != "video/mp4":
            check.problems.append("LinkedIn videos must be MP4.")
        if not VIDEO_BYTES[0] <= video.size <= VIDEO_BYTES[1]:
            check.problems.append("LinkedIn videos must be 75 KB to 500 MB.")
        if (
            video.duration is not None
            and not VIDEO_SECONDS[0] <= video.duration <= VIDEO_SECONDS[1]
        ):
            check.problems.append("LinkedIn videos must be 3 seconds to 30 minutes long.")
    if images > MAX_IMAGES:
        check.problems.append(f"LinkedIn takes at most {MAX_IMAGES} images in one post.")
    if any(m.kind == "image" and m.content_type not in IMAGE_TYPES for m in media):
        check.problems.append("LinkedIn images must be JPG, PNG or GIF.")
    return check
