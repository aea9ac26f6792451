"""Reading the counts of videos Mixora published on TikTok, and the account's followers.

developers.tiktok.com/doc/tiktok-api-v2-video-query: `POST /v2/video/query/?fields=…` with
`{"filters": {"video_ids": [...]}}`, up to 20 ids, scope video.list; TikTok answers only the
caller's own (public) videos, so a video it leaves out has no numbers. The video object's
counts: like_count, comment_count, share_count, view_count. Followers:
`GET /v2/user/info/?fields=follower_count`, scope user.info.stats (without it TikTok refuses
the field with scope_permission_missed, developers.tiktok.com/doc/tiktok-api-v2-get-user-info)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..network import PostMetrics, missing_scopes

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import TikTokConnector

QUERY_PATH = "/v2/video/query/"
USER_INFO_PATH = "/v2/user/info/"
VIDEO_FIELDS = "id,like_count,comment_count,share_count,view_count"
BATCH_SIZE = 20
VIDEO_SCOPE = "video.list"
STATS_SCOPE = "user.info.stats"


def refusal(account: ConnectedAccount) -> str:
    if missing_scopes(account, VIDEO_SCOPE):
        return f"Reconnect and allow {VIDEO_SCOPE} to see this account's video metrics."
    return ""


def _count(video: dict[str, Any], name: str) -> int:
    value = video.get(name)
    return value if isinstance(value, int) else 0


def parse(body: dict[str, Any]) -> dict[str, PostMetrics]:
    """Video id -> its metrics, from a video/query (or video/list) answer."""
    found = {}
    for video in (body.get("data") or {}).get("videos") or []:
        if not isinstance(video, dict) or not video.get("id"):
            continue
        likes, comments = _count(video, "like_count"), _count(video, "comment_count")
        shares, views = _count(video, "share_count"), _count(video, "view_count")
        found[str(video["id"])] = PostMetrics(
            impressions=views,
            engagements=likes + comments + shares,
            likes=likes,
            comments=comments,
            shares=shares,
            video_views=views,
        )
    return found


def post_metrics(
    client: TikTokConnector, account: ConnectedAccount, post_ids: list[str]
) -> dict[str, PostMetrics]:
    body = client.api(
        "POST",
        QUERY_PATH,
        account.access_token,
        params={"fields": VIDEO_FIELDS},
        json={"filters": {"video_ids": post_ids}},
    )
    return parse(body)


def followers_refusal(account: ConnectedAccount) -> str:
    if missing_scopes(account, STATS_SCOPE):
        return f"Reconnect and allow {STATS_SCOPE} to see this account's followers."
    return ""


def followers(client: TikTokConnector, account: ConnectedAccount) -> int | None:
    """The follower count; None (no call) for an account connected without user.info.stats."""
    if followers_refusal(account):
        return None
    body = client.api(
        "GET", USER_INFO_PATH, account.access_token, params={"fields": "follower_count"}
    )
    return parse_followers(body)


def parse_followers(body: dict[str, Any]) -> int | None:
    count = ((body.get("data") or {}).get("user") or {}).get("follower_count")
    return count if isinstance(count, int) else None
