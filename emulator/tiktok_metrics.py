"""TikTok: the counts a video object carries and the Display API's video query
(platform-apis.md §5.4), answered from the hidden engagement model (`emulator/engagement.py`).

Docs: developers.tiktok.com/doc/tiktok-api-v2-video-query (scope video.list; "verifies that the
videos belong to the user"; up to 20 ids; `fields` from the video object),
developers.tiktok.com/doc/tiktok-api-v2-video-object (like_count, comment_count, share_count,
view_count), developers.tiktok.com/doc/tiktok-api-v2-error-handling (codes and statuses).
"""

from __future__ import annotations

from emulator import engagement, tiktok
from emulator.posts import Post
from emulator.server import Request, Response, Service
from emulator.state import STATE
from emulator.tiktok import API, envelope

service = Service("tiktok", tiktok.render_fault)

QUERY_MAX = 20  # "Up to 20 video IDs can be included per request"


def video_counts(post: Post) -> dict[str, int]:
    """The video's counts now, in TikTok's names. `view_count` counts plays; TikTok reports
    no impressions, saves or clicks to apps."""
    counts = engagement.metrics_at(post, STATE.now())
    # A post `/_control/posts` made with another format has no plays in the model: its views.
    video = engagement.post_format(post) == "video"
    views = counts["video_views"] if video else counts["impressions"]
    return {
        "like_count": counts["likes"],
        "comment_count": counts["comments"],
        "share_count": counts["shares"],
        "view_count": views,
    }


def _video_ids(req: Request) -> list[str]:
    from emulator.tiktok_publish import _invalid  # it imports this module

    body = req.json if isinstance(req.json, dict) else {}
    filters = body.get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise _invalid("filters.video_ids must be a list of video id strings.")
    if not 1 <= len(ids) <= QUERY_MAX:
        raise _invalid(f"filters.video_ids must hold 1 to {QUERY_MAX} video ids.")
    return ids


@service.route("POST", API + "/video/query/", "tiktok.video_query")
def video_query(req: Request) -> Response:
    """The caller's own public videos among the ids asked, in that order; other ids are left
    out (another user's, a private one, or none)."""
    from emulator.tiktok_publish import (  # it imports this module
        VIDEO_FIELDS,
        _authenticate,
        _invalid,
        _video_json,
    )

    token = _authenticate(req, "video.list")
    fields = [f.strip() for f in (req.query.get("fields") or "").split(",") if f.strip()]
    if not fields or any(f not in VIDEO_FIELDS for f in fields):
        raise _invalid(f"fields must list some of {','.join(VIDEO_FIELDS)}.")
    found = [STATE.find_post("tiktok", video_id) for video_id in _video_ids(req)]
    # video.list "gives read-only access to a user's public TikTok videos" (scopes reference).
    videos = [
        _video_json(req, post)
        for post in found
        if post
        and post.account_id == token.user_id
        and post.kind == "video"
        and post.details.get("privacy_level") == "PUBLIC_TO_EVERYONE"
    ]
    return envelope({"videos": [{name: video[name] for name in fields} for video in videos]})
