"""Meta: Instagram media insights (platform-apis.md §3.3), answered from the hidden engagement
model (`emulator/engagement.py`).

Doc: developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights
(metrics, limitations, requirements).
"""

from __future__ import annotations

from emulator import engagement, graph, meta
from emulator.graph import GRAPH, graph_error
from emulator.instagram import CONTAINER_ID, MEDIA_ID
from emulator.posts import Post
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE

service = Service("meta", meta.render_fault, meta.add_usage)

# Requirements: instagram_basic, instagram_manage_insights, pages_read_engagement.
INSIGHTS_SCOPES = ("instagram_basic", "instagram_manage_insights", "pages_read_engagement")
# name -> (title, description, the engagement model's number; None: a sum, see below)
METRICS = {
    "views": ("Views", "The number of times your content was played or displayed.", "impressions"),
    "reach": ("Accounts reached", "The number of unique accounts that saw the media.", "reach"),
    "likes": ("Likes", "The number of likes on the media.", "likes"),
    "comments": ("Comments", "The number of comments on the media.", "comments"),
    "shares": ("Shares", "The number of shares of the media.", "shares"),
    "saved": ("Saved", "The number of saves of the media.", "saves"),
    "total_interactions": (
        "Interactions",
        "The number of likes, saves, comments and shares on the media.",
        None,
    ),
}
# Metrics each media product type has (the reference's metric table); others answer 100.
STORY_METRICS = {"views", "reach", "shares", "total_interactions"}
# "Story media metrics are only available for 24 hours".
STORY_WINDOW = 86_400
# "Story media metrics with values less than 5 return an error code 10".
STORY_MIN_VALUE = 5


def _media(req: Request, media_id: str) -> Post:
    """The media behind /{ig-media-id}/insights, for a token of its linked Page (or its user)
    with the insights permissions."""
    token = meta.authenticate(req)
    post = STATE.find_post("instagram", media_id)
    found = STATE.find_instagram(post.account_id) if post else None
    if found is None or found[0].id != token.user_id or token.page_id not in (None, found[1].id):
        raise graph.unsupported(media_id)
    if any(scope not in token.scopes for scope in INSIGHTS_SCOPES):
        # The emulator's Instagram permission error (docs/emulator.md, Instagram reads).
        raise graph.missing_permission(
            10, "(#10) Application does not have permission for this action"
        )
    return post


def _metric_names(req: Request, product: str) -> list[str]:
    names = [name.strip() for name in (req.param("metric") or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in METRICS]
    if not names or unknown:
        # Deprecated names (impressions, plays, video_views, …) are refused like unknown ones;
        # observed wording "(#100) metric[N] must be one of the following values: …".
        index = names.index(unknown[0]) if unknown else 0
        raise graph.invalid(
            f"(#100) metric[{index}] must be one of the following values: {', '.join(METRICS)}"
        )
    if product == "STORY" and (other := [n for n in names if n not in STORY_METRICS]):
        # Observed wording for a metric another product type has.
        raise graph.invalid(
            f"(#100) The Media Insights API does not support the {other[0]} metric for this "
            "media product type."
        )
    return names


def _value(name: str, numbers: dict[str, int], product: str) -> int:
    source = METRICS[name][2]
    if source is not None:
        return numbers[source]
    # total_interactions: likes, saves, comments and shares (stories have shares only here).
    parts = ("shares",) if product == "STORY" else ("likes", "saves", "comments", "shares")
    return sum(numbers[part] for part in parts)


@service.route("GET", GRAPH + rf"/(?P<media>{MEDIA_ID})/insights", "meta.ig_media_insights")
def media_insights(req: Request) -> Response:
    post = _media(req, req.params["media"])
    product = post.details["media_product_type"]
    names = _metric_names(req, product)
    now = STATE.now()
    if product == "STORY" and now - post.created_at > STORY_WINDOW:
        # "If insights data … does not exist or is currently unavailable, the API returns an
        # empty data set instead of 0".
        return json_response({"data": []})
    numbers = engagement.metrics_at(post, now)
    values = {name: _value(name, numbers, product) for name in names}
    if product == "STORY" and min(values.values()) < STORY_MIN_VALUE:
        message = "(#10) Not enough viewers for the media to show insights"
        raise Abort(graph_error(400, 10, message))
    data = [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": value}],
            "title": METRICS[name][0],
            "description": METRICS[name][1],
            "id": f"{post.id}/insights/{name}/lifetime",
        }
        for name, value in values.items()
    ]
    return json_response({"data": data})


@service.route("GET", GRAPH + rf"/(?P<container>{CONTAINER_ID})/insights", "meta.ig_media_insights")
def carousel_item_insights(req: Request) -> Response:
    """The emulator's carousel items are containers: "Insights data is not available for any
    media within an Instagram Media album" (ASSUMPTION: the error's code and wording)."""
    meta.authenticate(req)
    container = STATE.table("ig_container").get(req.params["container"])
    if container is None or not container.carousel_item:
        raise graph.unsupported(req.params["container"])
    raise graph.invalid(
        "(#100) Metrics on media within an album are not supported. Get metrics on the album "
        "instead."
    )
