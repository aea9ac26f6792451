"""Reading the statistics of videos Mixora published on YouTube, and the channel's subscribers
(Data API v3).

developers.google.com/youtube/v3/docs/videos/list: `part=statistics&id=<up to 50 ids>`, 1 quota
unit a call; `statistics.{viewCount, likeCount, commentCount}` are uint64 strings (dislikeCount is
private, favoriteCount always 0); a video YouTube no longer has is simply not in `items`.
Channels: `channels.list?part=statistics&mine=true` → `subscriberCount` (public counts are
rounded down to three significant figures) unless `hiddenSubscriberCount`.

Every call is charged to the project's shared daily quota first (quota.py), as a background
read: it never spends the reserve kept for replies, and a spent quota waits for midnight PT."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..network import PostMetrics, missing_scopes

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import GoogleConnector

SCOPE = "https://www.googleapis.com/auth/"
# Any of these lets an app read the channel's videos (videos/list "Authorization").
READ_SCOPES = tuple(SCOPE + name for name in ("youtube.readonly", "youtube", "youtube.force-ssl"))
BATCH_SIZE = 50


def refusal(account: ConnectedAccount) -> str:
    if len(missing_scopes(account, *READ_SCOPES)) == len(READ_SCOPES):
        return "Reconnect and allow Mixora to view the channel to see its metrics."
    return ""


def _count(statistics: dict[str, Any], name: str) -> int | None:
    value = statistics.get(name)
    return int(value) if isinstance(value, str | int) and str(value).isdigit() else None


def parse(body: dict[str, Any]) -> dict[str, PostMetrics]:
    """Video id -> its metrics, from a videos.list answer. A count the channel hides (likes
    hidden, comments off) is not in `statistics`: it stays unknown."""
    found = {}
    for video in body.get("items") or []:
        statistics = video.get("statistics") if isinstance(video, dict) else None
        if not isinstance(statistics, dict):
            continue
        views = _count(statistics, "viewCount")
        likes, comments = _count(statistics, "likeCount"), _count(statistics, "commentCount")
        found[str(video["id"])] = PostMetrics(
            impressions=views,
            engagements=(likes or 0) + (comments or 0),
            likes=likes,
            comments=comments,
            video_views=views,
        )
    return found


def post_metrics(
    client: GoogleConnector, account: ConnectedAccount, post_ids: list[str]
) -> dict[str, PostMetrics]:
    params = {"part": "statistics", "id": ",".join(post_ids)}
    body = client.api("GET", "/videos", account.access_token, polling=True, params=params)
    return parse(body)


def followers(client: GoogleConnector, account: ConnectedAccount) -> int | None:
    if refusal(account):
        return None
    params = {"part": "statistics", "mine": "true"}
    body = client.api("GET", "/channels", account.access_token, polling=True, params=params)
    return parse_subscribers(body)


def parse_subscribers(body: dict[str, Any]) -> int | None:
    """The channel's subscribers; None when it hides them (or has no channel)."""
    items = body.get("items") or []
    statistics = (items[0].get("statistics") or {}) if items else {}
    if statistics.get("hiddenSubscriberCount"):
        return None
    return _count(statistics, "subscriberCount")
