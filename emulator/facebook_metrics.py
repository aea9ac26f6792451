"""Meta: Facebook Page post insights and the counts a Page post carries (platform-apis.md §2.3),
answered from the hidden engagement model (`emulator/engagement.py`).

Docs: developers.facebook.com/docs/graph-api/reference/insights ("Page Insights": reading,
limitations, the 3001/1504028 sample) and .../docs/platforminsights/page (post metrics).
"""

from __future__ import annotations

from emulator import engagement, graph, meta
from emulator.graph import GRAPH, graph_error
from emulator.posts import Post
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE

service = Service("meta", meta.render_fault, meta.add_usage)

# Reading post insights: "A Page access token requested by a person who can perform the ANALYZE
# task on the Page" with read_insights and pages_read_engagement (platform-apis.md §1.2).
INSIGHTS_SCOPES = ("read_insights", "pages_read_engagement")
# "Page Insights data is only available on Pages with 100 or more likes" (insights reference).
MIN_PAGE_FOLLOWERS = 100
# Post metrics that still exist after the 2025 deprecations (platform-apis.md §2.3): name ->
# (title, description, the engagement model's number). The post_impressions* family and any
# other name answer "invalid metric".
METRICS = {
    "post_media_view": (
        "Post views",
        "The number of times your post was on screen.",
        "impressions",
    ),
    "post_total_media_view_unique": (
        "Post viewers",
        "The number of people who saw your post at least once.",
        "reach",
    ),
    "post_clicks": ("Post clicks", "The number of clicks anywhere in your post.", "clicks"),
    "post_reactions_by_type_total": (
        "Total post reactions by type",
        "Total post reactions by type.",
        "likes",
    ),
    "post_video_views": (
        "Lifetime post video views",
        "The number of times your video was watched for 3 seconds or more.",
        "video_views",
    ),
}
# How the model's reactions split by type (the Graph's keys), largest first; "Breakdown metrics
# for Page post … insights will only return non-zero values" (insights reference).
REACTION_SHARES = (
    ("like", 0.7),
    ("love", 0.2),
    ("haha", 0.04),
    ("wow", 0.03),
    ("sorry", 0.02),
    ("anger", 0.01),
)


def reactions_by_type(total: int) -> dict[str, int]:
    """The reactions split by type, adding up to `total`; zero types left out."""
    split = {name: int(total * share) for name, share in REACTION_SHARES}
    split["like"] += total - sum(split.values())
    return {name: count for name, count in split.items() if count}


def post_counts(post: Post) -> dict:
    """Field getters for the counts a Page post node carries (`shares`, `comments.summary(true)`,
    `reactions.summary(total_count)`), merged into the post's fields by emulator/facebook.py.
    `shares` is absent while nobody shared the post (ASSUMPTION: what clients observe; the
    reference documents no zero). Comment and reaction lists are not emulated: `data` is empty
    and the summary is always given."""

    def numbers() -> dict[str, int]:
        return engagement.metrics_at(post, STATE.now())

    def shares(_: str | None) -> dict | None:
        count = numbers()["shares"]
        return {"count": count} if count else None

    def comments(_: str | None) -> dict:
        summary = {"order": "chronological", "total_count": numbers()["comments"]}
        return {"data": [], "summary": {**summary, "can_comment": True}}

    def reactions(_: str | None) -> dict:
        summary = {"total_count": numbers()["likes"], "viewer_reaction": "NONE"}
        return {"data": [], "summary": summary}

    return {"shares": shares, "comments": comments, "reactions": reactions}


def _readable_post(req: Request, post_id: str) -> Post:
    """The Page post behind /{post-id}/insights, for its Page's token with the insights
    permissions."""
    token = meta.authenticate(req)
    post = STATE.find_post("facebook", post_id)
    found = STATE.find_page(post.account_id) if post else None
    if found is None or found[0].id != token.user_id or token.page_id not in (None, found[1].id):
        raise graph.unsupported(post_id)
    if token.kind != "page":
        message = "(#210) A page access token is required to request this resource."
        raise Abort(graph_error(400, 210, message))
    if missing := [scope for scope in INSIGHTS_SCOPES if scope not in token.scopes]:
        # ASSUMPTION: the permission error's wording; code 10 is "API Permission Denied"
        # (graph-api/guides/error-handling).
        raise graph.missing_permission(
            10, f"(#10) This endpoint requires the '{missing[0]}' permission."
        )
    return post


def _metric_names(req: Request) -> list[str]:
    names = [name.strip() for name in (req.param("metric") or "").split(",") if name.strip()]
    if not names:
        # The insights reference's own sample for a call without a metric.
        raise Abort(
            graph_error(
                400,
                3001,
                "Invalid query",
                1504028,
                user=(
                    "No Metric Specified",
                    "No metric was specified to be fetched. Please specify one or more metrics "
                    "to be fetched and try again.",
                ),
            )
        )
    if unknown := [name for name in names if name not in METRICS]:
        # Deprecated metrics (post_impressions*, June 2025) answer like unknown ones
        # (platform-apis.md §2.3; observed body "(#100) The value must be a valid insights metric").
        raise graph.invalid(f"(#100) The value must be a valid insights metric ({unknown[0]})")
    return names


@service.route("GET", GRAPH + r"/(?P<post>\d+_\d+)/insights", "meta.post_insights")
def post_insights(req: Request) -> Response:
    post = _readable_post(req, req.params["post"])
    names = _metric_names(req)
    now = STATE.now()
    if engagement.followers_at("facebook", post.account_id, now) < MIN_PAGE_FOLLOWERS:
        return json_response({"data": []})
    numbers = engagement.metrics_at(post, now)
    is_video = engagement.post_format(post) == "video"
    data = []
    for name in names:
        title, description, source = METRICS[name]
        value: object = numbers[source]
        if name == "post_reactions_by_type_total":
            value = reactions_by_type(numbers["likes"])
        elif name == "post_video_views" and not is_video:
            value = 0  # ASSUMPTION: a post without a video has no video views
        data.append(
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": title,
                "description": description,
                "id": f"{post.id}/insights/{name}/lifetime",
            }
        )
    return json_response({"data": data})
