"""Reading the metrics of Facebook Page posts and Instagram media Mixora published (Graph API).

Facebook (developers.facebook.com/docs/graph-api/reference/insights, platform-apis §2.3): the
post's counts are fields (`shares`, `comments.summary(true)`, `reactions.summary(total_count)`)
and its views, viewers, clicks and reactions by type are lifetime insights; the deprecated
`post_impressions*` family is never asked for. Video posts are read under their feed post id,
which has the insights edge (the Video node has none) and `post_video_views` besides.

Instagram (developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights):
lifetime insights of the media; unavailable data is an empty list, a story with too few viewers
is error 10 "Not enough viewers": both mean "no numbers yet", not a failure.

One post per call (two on Facebook): the collector's batches are one post each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from ..base import json_or_empty
from ..network import PostMetrics, missing_scopes
from . import endpoints
from .connector import classify

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import MetaConnector

FACEBOOK_SCOPES = ("read_insights", "pages_read_engagement")
INSTAGRAM_SCOPES = ("instagram_basic", "instagram_manage_insights", "pages_read_engagement")
FACEBOOK_POST_FIELDS = (
    "status_type,shares,comments.limit(0).summary(true),reactions.limit(0).summary(total_count)"
)
FACEBOOK_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_by_type_total",
)
FACEBOOK_VIDEO_METRICS = ("post_video_views",)
INSTAGRAM_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
# Graph's (#100) subcode 33: the object "does not exist, cannot be loaded due to missing
# permissions, or does not support this operation" — a post deleted on the network.
_GONE = (100, 33)


def classify_reading(response: requests.Response) -> dict[str, Any] | None:
    """A metrics read's answer: None when the object is gone, "not enough viewers" as an
    empty `data` list (no numbers yet), else what `classify` makes of it."""
    error = json_or_empty(response).get("error")
    if isinstance(error, dict):
        if (error.get("code"), error.get("error_subcode")) == _GONE:
            return None
        message = str(error.get("message", "")).lower()
        if error.get("code") == 10 and "not enough viewers" in message:
            return {"data": []}
    return classify(response)


def _read(meta: MetaConnector, path: str, token: str, **params: Any) -> dict[str, Any] | None:
    return meta.call(
        "GET",
        f"{endpoints.graph_url()}/{path}",
        classify=classify_reading,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    )


def insight_values(body: dict[str, Any]) -> dict[str, Any]:
    """{metric name: its latest value} of an insights answer (`data[].values[-1].value`)."""
    values = {}
    for item in body.get("data") or []:
        if not isinstance(item, dict):
            continue
        readings = item.get("values") or []
        if item.get("name") and readings:
            values[item["name"]] = readings[-1].get("value")
    return values


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _summary_total(field: object) -> int | None:
    summary = field.get("summary") if isinstance(field, dict) else None
    return _count(summary.get("total_count")) if isinstance(summary, dict) else None


def parse_facebook(post: dict[str, Any], insights: dict[str, Any]) -> PostMetrics:
    """A Page post's metrics from its fields and its insights. `shares` is left out of a post
    nobody shared; reactions of every type count as likes."""
    values = insight_values(insights)
    by_type = values.get("post_reactions_by_type_total")
    if isinstance(by_type, dict):
        likes = sum(_count(n) or 0 for n in by_type.values())
    else:
        likes = _summary_total(post.get("reactions"))
    comments = _summary_total(post.get("comments"))
    shares = _count((post.get("shares") or {}).get("count")) or 0
    parts = [likes, comments, shares]
    return PostMetrics(
        impressions=_count(values.get("post_media_view")),
        reach=_count(values.get("post_total_media_view_unique")),
        engagements=sum(parts) if None not in parts else None,
        likes=likes,
        comments=comments,
        shares=shares,
        clicks=_count(values.get("post_clicks")),
        video_views=_count(values.get("post_video_views")),
    )


def parse_instagram(insights: dict[str, Any]) -> PostMetrics | None:
    """A media's metrics; None when Instagram has none for it (yet)."""
    values = insight_values(insights)
    if not values:
        return None
    return PostMetrics(
        impressions=_count(values.get("views")),
        reach=_count(values.get("reach")),
        engagements=_count(values.get("total_interactions")),
        likes=_count(values.get("likes")),
        comments=_count(values.get("comments")),
        shares=_count(values.get("shares")),
        saves=_count(values.get("saved")),
    )


def refusal(account: ConnectedAccount, scopes: tuple[str, ...], noun: str) -> str:
    missing = missing_scopes(account, *scopes)
    if missing:
        return f"Reconnect and allow {', '.join(missing)} to see this {noun}'s metrics."
    return ""


def facebook_post(
    meta: MetaConnector, account: ConnectedAccount, post_id: str
) -> PostMetrics | None:
    token = account.access_token
    post = _read(meta, post_id, token, fields=FACEBOOK_POST_FIELDS)
    if post is None:
        return None
    names = FACEBOOK_METRICS
    if post.get("status_type") == "added_video":
        names += FACEBOOK_VIDEO_METRICS
    insights = _read(meta, f"{post_id}/insights", token, metric=",".join(names))
    return None if insights is None else parse_facebook(post, insights)


def instagram_media(
    meta: MetaConnector, account: ConnectedAccount, media_id: str
) -> PostMetrics | None:
    insights = _read(
        meta, f"{media_id}/insights", account.access_token, metric=",".join(INSTAGRAM_METRICS)
    )
    return None if insights is None else parse_instagram(insights)


def followers(meta: MetaConnector, account: ConnectedAccount) -> int | None:
    """The Page's or Instagram account's `followers_count` field."""
    node = meta.graph_get(account.external_id, account.access_token, fields="followers_count")
    return _count(node.get("followers_count"))
