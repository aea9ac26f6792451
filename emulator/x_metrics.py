"""X: a post's public metrics and the multi-post lookup that reads them (platform-apis.md §4.4),
answered from the hidden engagement model (`emulator/engagement.py`).

Docs: docs.x.com/x-api/fundamentals/metrics (public_metrics: any token, "at the time of the
request"), docs.x.com/x-api/posts/lookup/integrate (deleted posts: omitted, with `errors`), the
X API OpenAPI spec `GET /2/tweets` (getPostsByIds: `ids` 1-100, OAuth 2.0 scopes tweet.read and
users.read), docs.x.com/x-api/fundamentals/rate-limits (5,000 per 15 minutes per user).
"""

from __future__ import annotations

import re

from emulator import engagement, x
from emulator.posts import Post
from emulator.server import Abort, Request, Response, json_response
from emulator.state import STATE
from emulator.x import API, invalid_parameter, problem_body

service = x.XService()

MAX_IDS = 100
POST_ID = re.compile(r"[0-9]{1,19}")  # PostId's pattern in the OpenAPI spec
LOOKUP_PARAMETERS = (
    "ids",
    "tweet.fields",
    "expansions",
    "media.fields",
    "place.fields",
    "poll.fields",
    "user.fields",
)
# Of the model's shares, this part are quotes and the rest reposts (the emulator's choice: X
# counts them apart, the model has one number).
QUOTE_SHARE = 0.25


def public_metrics(post: Post) -> dict[str, int]:
    """The post's `public_metrics` now, in X's names (data dictionary: retweet_count,
    reply_count, like_count, quote_count, bookmark_count, impression_count)."""
    counts = engagement.metrics_at(post, STATE.now())
    quotes = int(counts["shares"] * QUOTE_SHARE)
    return {
        "retweet_count": counts["shares"] - quotes,
        "reply_count": counts["comments"],
        "like_count": counts["likes"],
        "quote_count": quotes,
        "bookmark_count": counts["saves"],
        "impression_count": counts["impressions"],
    }


def _ids(req: Request) -> list[str]:
    """The `ids` list; 400 as X answers when it is missing, too long or malformed."""
    if unknown := [name for name in req.query if name not in LOOKUP_PARAMETERS]:
        allowed = ",".join(LOOKUP_PARAMETERS)
        message = f"The query parameter [{unknown[0]}] is not one of [{allowed}]"
        raise Abort(invalid_parameter(unknown[0], [req.query[unknown[0]]], message))
    ids = [value for value in (req.query.get("ids") or "").split(",") if value]
    if not 1 <= len(ids) <= MAX_IDS:
        # The message X gives (observed: "…query parameter list [110] is not between 1 and 100").
        message = (
            f"The number of values in the `ids` query parameter list [{len(ids)}] is not between "
            f"1 and {MAX_IDS}"
        )
        raise Abort(invalid_parameter("ids", ids, message))
    if bad := [value for value in ids if not POST_ID.fullmatch(value)]:
        message = f"The `ids` query parameter value [{bad[0]}] does not match ^[0-9]{{1,19}}$"
        raise Abort(invalid_parameter("ids", bad, message))
    return ids


def _not_found(post_id: str) -> dict:
    # The partial error of docs.x.com/x-api/posts/lookup/integrate ("Deleted or protected Posts").
    return {
        "value": post_id,
        "parameter": "ids",
        "resource_type": "tweet",
        "resource_id": post_id,
        **problem_body(404, f"Could not find tweet with id: [{post_id}]."),
    }


@service.route("GET", API + "/tweets", "x.tweets_lookup")
def lookup(req: Request) -> Response:
    """Posts by id, in the order asked; unknown or deleted ones as `errors` beside `data`."""
    from emulator.x_publish import TWEET_FIELDS, _tweet_json  # it imports this module

    token = x.authenticate(req)
    x.require_scopes(token, "tweet.read", "users.read")
    fields = x.requested_fields(req, "tweet.fields", TWEET_FIELDS)
    ids = _ids(req)
    found = {post_id: STATE.find_post("x", post_id) for post_id in ids}
    body: dict = {}
    if data := [_tweet_json(post, fields) for post in found.values() if post]:
        body["data"] = data
    if errors := [_not_found(post_id) for post_id, post in found.items() if post is None]:
        body["errors"] = errors
    return json_response(body)
