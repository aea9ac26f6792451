"""Reading the public metrics of posts Mixora published on X, and the account's followers
(API v2).

docs.x.com/x-api/fundamentals/metrics: `public_metrics` (impression_count, like_count,
reply_count, retweet_count, quote_count, bookmark_count) come with any token, "at the time of
the request". `GET /2/tweets?ids=` takes 1-100 ids with the scopes tweet.read and users.read
(OpenAPI getPostsByIds); a post X no longer has is left out of `data` and named in `errors`
beside it, still HTTP 200 (docs.x.com/x-api/posts/lookup/integrate). Followers:
`GET /2/users/me?user.fields=public_metrics` → `public_metrics.followers_count`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..network import PostMetrics, missing_scopes

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import XConnector

LOOKUP_PATH = "/2/tweets"
ME_PATH = "/2/users/me"
BATCH_SIZE = 100
SCOPES = ("tweet.read", "users.read")


def refusal(account: ConnectedAccount) -> str:
    if missing := missing_scopes(account, *SCOPES):
        return f"Reconnect and allow {', '.join(missing)} to see this account's metrics."
    return ""


def _count(metrics: dict[str, Any], *names: str) -> int | None:
    # The current OpenAPI spec calls reposts `repost_count`; the data dictionary and every
    # documented answer say `retweet_count`: read whichever comes.
    for name in names:
        if isinstance(metrics.get(name), int):
            return metrics[name]
    return None


def parse(body: dict[str, Any]) -> dict[str, PostMetrics]:
    """Post id -> its metrics, from a lookup answer; posts without public_metrics left out.
    A count the answer lacks stays unknown (the quickstart's example has no impressions)."""
    found = {}
    for post in body.get("data") or []:
        metrics = post.get("public_metrics") if isinstance(post, dict) else None
        if not isinstance(metrics, dict):
            continue
        likes, replies = _count(metrics, "like_count"), _count(metrics, "reply_count")
        reposts = _count(metrics, "retweet_count", "repost_count")
        quotes, bookmarks = _count(metrics, "quote_count"), _count(metrics, "bookmark_count")
        shares = None if reposts is None and quotes is None else (reposts or 0) + (quotes or 0)
        found[str(post["id"])] = PostMetrics(
            impressions=_count(metrics, "impression_count"),
            engagements=sum(n or 0 for n in (likes, replies, shares, bookmarks)),
            likes=likes,
            comments=replies,
            shares=shares,
            saves=bookmarks,
        )
    return found


def post_metrics(
    client: XConnector, account: ConnectedAccount, post_ids: list[str]
) -> dict[str, PostMetrics]:
    body = client.api(
        "GET",
        LOOKUP_PATH,
        account.access_token,
        params={"ids": ",".join(post_ids), "tweet.fields": "public_metrics"},
    )
    return parse(body)


def followers(client: XConnector, account: ConnectedAccount) -> int | None:
    if refusal(account):  # without users.read X refuses the lookup: no reading, no error
        return None
    body = client.api(
        "GET", ME_PATH, account.access_token, params={"user.fields": "public_metrics"}
    )
    return parse_followers(body)


def parse_followers(body: dict[str, Any]) -> int | None:
    count = ((body.get("data") or {}).get("public_metrics") or {}).get("followers_count")
    return count if isinstance(count, int) else None
