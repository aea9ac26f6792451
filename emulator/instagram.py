"""Meta: Instagram content publishing (platform-apis.md §3.2): create a container, wait until
its status is FINISHED, publish it; read the account's media and publishing quota back.

A container answers IN_PROGRESS to `instagram_container_polls` status reads, then FINISHED (or
ERROR with `instagram_container_error`). Media URLs are downloaded when the container is made.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from emulator import graph, media, meta
from emulator.graph import GRAPH, flag, graph_error, invalid, parse_fields, render, text_arg
from emulator.media import Blob
from emulator.posts import Post
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, InstagramAccount, Page

PUBLISH_SCOPE = "instagram_content_publish"
READ_SCOPE = "instagram_basic"
CAPTION_LIMITS = {"characters": 2200, "hashtags": 30, "mentions": 20}
CAROUSEL_SIZE = (2, 10)
CONTAINER_TTL = 86400  # unpublished containers expire after 24 h
QUOTA_WINDOW = 86400
CONTAINER_ID = r"17889\d{12}"  # state.py "ig_container"
MEDIA_ID = r"179\d{14}"  # state.py "ig_media"
_SHORTCODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_STATUS_TEXT = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is complete.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: Media was not published within 24 hours.",
}
# media_type of a container -> (media_type, media_product_type) of the published media
_PUBLISHED_TYPES = {
    "IMAGE": ("IMAGE", "FEED"),
    "REELS": ("VIDEO", "REELS"),
    "STORIES": ("IMAGE", "STORY"),
    "CAROUSEL": ("CAROUSEL_ALBUM", "FEED"),
}

service = Service("meta", meta.render_fault, meta.add_usage)


@dataclass
class Container:
    id: str
    ig_id: str
    media_type: str  # IMAGE, REELS, STORIES, CAROUSEL, or VIDEO (carousel items only)
    caption: str
    blobs: list[Blob]
    carousel_item: bool
    created_at: float
    polls_left: int
    error: str | None
    children: list[str] = field(default_factory=list)
    media_id: str | None = None  # once published

    def status_code(self) -> str:
        if self.media_id:
            return "PUBLISHED"
        if STATE.now() >= self.created_at + CONTAINER_TTL:
            return "EXPIRED"
        if self.polls_left > 0:
            return "IN_PROGRESS"
        return "ERROR" if self.error else "FINISHED"


def _account(req: Request, ig_id: str, scope: str, verb: str) -> tuple[Page, InstagramAccount]:
    """The Instagram account behind /{ig-user-id}/…, for a token of its Page (or user)."""
    token = meta.authenticate(req)
    found = STATE.find_instagram(ig_id)
    if found is None or found[0].id != token.user_id or token.page_id not in (None, found[1].id):
        raise graph.unsupported(ig_id, verb)
    if scope not in token.scopes:
        message = "(#10) Application does not have permission for this action"
        raise graph.missing_permission(10, message)
    return found[1], found[1].instagram


def _not_ready() -> Abort:
    return Abort(
        graph_error(
            400,
            9007,
            "Media ID is not available",
            2207027,
            user=("Media Not Ready", "The media is not ready for publishing, please wait."),
        )
    )


def _check_caption(caption: str) -> None:
    counts = {
        "characters": len(caption),
        "hashtags": len(re.findall(r"#\w", caption)),
        "mentions": len(re.findall(r"@\w", caption)),
    }
    if over := [name for name, limit in CAPTION_LIMITS.items() if counts[name] > limit]:
        limits = ", ".join(f"{limit} {name}" for name, limit in CAPTION_LIMITS.items())
        raise invalid(f"(#100) The caption has too many {over[0]} (at most {limits})")


def _source_url(req: Request, media_type: str, carousel_item: bool) -> str:
    """The image_url or video_url a single (or carousel item) container needs."""
    if media_type == "VIDEO" and not carousel_item:
        raise invalid("(#100) media_type VIDEO is only for carousel items: use REELS")
    if media_type not in ("IMAGE", "VIDEO", "REELS", "STORIES"):
        raise invalid(f"(#100) Invalid media_type {media_type}")
    if media_type == "STORIES":
        names = ["image_url", "video_url"]
    else:
        names = ["video_url"] if media_type in ("VIDEO", "REELS") else ["image_url"]
    url = next((text_arg(req, name) for name in names if text_arg(req, name)), "")
    if not url:
        raise invalid(f"(#100) The parameter {' or '.join(names)} is required.")
    return url


def _download(req: Request, url: str) -> Blob:
    timeout = float(STATE.knob("meta", "media_fetch_timeout"))
    result = media.fetched(req, [url], timeout)[0]
    if result.blob:
        return result.blob
    if result.timed_out:
        user = ("Media download timed out", "It takes too long to download the media.")
        raise Abort(graph_error(400, -2, "Timeout", 2207003, user=user))
    user = ("Media download has failed.", f"The media could not be fetched from this uri: {url}")
    message = "Only photo or video can be accepted as media type."
    raise Abort(graph_error(400, 9004, message, 2207052, user=user))


def _children(req: Request, ig_id: str) -> list[Container]:
    raw = text_arg(req, "children")
    try:
        ids = json.loads(raw) if raw.startswith("[") else [i for i in raw.split(",") if i]
    except ValueError:
        ids = []
    low, high = CAROUSEL_SIZE
    if not low <= len(ids) <= high:
        raise invalid(f"(#100) A carousel needs between {low} and {high} children")
    children = [STATE.table("ig_container").get(str(child)) for child in ids]
    for child_id, child in zip(ids, children, strict=True):
        if child is None or child.ig_id != ig_id or not child.carousel_item:
            raise invalid(f"(#100) {child_id} is not a carousel item container of this account")
        if child.status_code() != "FINISHED":
            raise _not_ready()
    return children


@service.route("POST", GRAPH + r"/(?P<ig>\d+)/media", "meta.ig_media")
def create_container(req: Request) -> Response:
    _, ig = _account(req, req.params["ig"], PUBLISH_SCOPE, "post")
    media_type = text_arg(req, "media_type").upper() or "IMAGE"
    carousel_item = flag(req, "is_carousel_item", False)
    caption = "" if carousel_item else text_arg(req, "caption")
    _check_caption(caption)
    children: list[Container] = []
    if media_type == "CAROUSEL":
        children = _children(req, ig.id)
        blobs = [blob for child in children for blob in child.blobs]
    else:
        blobs = [_download(req, _source_url(req, media_type, carousel_item))]
    container = Container(
        STATE.next_id("ig_container"),
        ig.id,
        media_type,
        caption,
        blobs,
        carousel_item,
        STATE.now(),
        int(STATE.knob("meta", "instagram_container_polls")),
        STATE.knob("meta", "instagram_container_error"),
        [child.id for child in children],
    )
    STATE.table("ig_container")[container.id] = container
    return json_response({"id": container.id})


@service.route("GET", GRAPH + rf"/(?P<container>{CONTAINER_ID})", "meta.ig_container")
def container_status(req: Request) -> Response:
    container_id = req.params["container"]
    container = STATE.table("ig_container").get(container_id)
    if container is None:
        raise graph.unsupported(container_id)
    _account(req, container.ig_id, READ_SCOPE, "get")
    status = container.status_code()
    getters = {
        "id": lambda _: container.id,
        "status_code": lambda _: status,
        "status": lambda _: (
            f"Error: {container.error}" if status == "ERROR" else _STATUS_TEXT[status]
        ),
    }
    body = render("IGContainer", getters, parse_fields(req.param("fields"), ["id"]))
    if status == "IN_PROGRESS":
        container.polls_left -= 1
    return json_response(body)


def _published_in_window(ig_id: str, since: float) -> int:
    start = max(since, STATE.now() - QUOTA_WINDOW)
    return sum(1 for post in STATE.posts_of("instagram", ig_id) if post.created_at > start)


def _shortcode(media_id: str) -> str:
    number, code = int(media_id), ""
    while number:
        number, digit = divmod(number, 64)
        code = _SHORTCODE[digit] + code
    return code


@service.route("POST", GRAPH + r"/(?P<ig>\d+)/media_publish", "meta.ig_publish")
def publish(req: Request) -> Response:
    page, ig = _account(req, req.params["ig"], PUBLISH_SCOPE, "post")
    creation_id = text_arg(req, "creation_id")
    if not creation_id:
        raise invalid("(#100) The parameter creation_id is required.")
    container = STATE.table("ig_container").get(creation_id)
    if container is None or container.ig_id != ig.id or container.carousel_item:
        raise invalid(f"(#100) {creation_id} is not a publishable container of this account")
    status = container.status_code()
    if status == "PUBLISHED":
        user = ("Media builder expired", "The media was already published. Create a new one.")
        message = "The media builder has expired or was already published"
        raise Abort(graph_error(400, 9004, message, 2207008, user=user))
    if status == "EXPIRED":
        message = "The media you are trying to access has expired. Please try to upload again."
        raise Abort(graph_error(400, -2, message, 2207020))
    if status != "FINISHED":
        raise _not_ready()
    quota = int(STATE.knob("meta", "instagram_publish_quota"))
    if _published_in_window(ig.id, 0) >= quota:
        user = (
            "Publishing limit reached",
            "You reached maximum number of posts that is allowed to be published by Content "
            "Publish API.",
        )
        raise Abort(graph_error(400, 9, "Application request limit reached", 2207042, user=user))
    post = add_media(page, container.media_type, container.caption, container.blobs, container.id)
    container.media_id = post.id
    return json_response({"id": post.id})


def add_media(
    page: Page,
    container_type: str,
    caption: str,
    blobs: list[Blob],
    container_id: str | None = None,
) -> Post:
    """A published media of the Page's Instagram account, with the id, shortcode and permalink
    Instagram gives it; `container_type` is the container's media_type. `/_control/posts` makes
    earlier posts with it too (no container)."""
    ig = page.instagram
    media_id = STATE.next_id("ig_media")
    media_type, product = _PUBLISHED_TYPES[container_type]
    shortcode = _shortcode(media_id)
    path = {"REELS": f"reel/{shortcode}", "STORY": f"stories/{ig.username}/{media_id}"}
    return STATE.add_post(
        Post(
            platform="meta",
            network="instagram",
            account_id=ig.id,
            id=media_id,
            kind=media_type,
            text=caption,
            created_at=STATE.now(),
            permalink=f"https://www.instagram.com/{path.get(product, f'p/{shortcode}')}/",
            media=blobs,
            details={
                "media_product_type": product,
                "shortcode": shortcode,
                "container_id": container_id,
                "username": ig.username,
                "page_id": page.id,
            },
        )
    )


def _media_getters(post: Post) -> dict:
    return {
        "id": lambda _: post.id,
        "caption": lambda _: post.text or None,
        "media_type": lambda _: post.kind,
        "media_product_type": lambda _: post.details["media_product_type"],
        "permalink": lambda _: post.permalink,
        "shortcode": lambda _: post.details["shortcode"],
        "timestamp": lambda _: graph.graph_time(post.created_at),
        "username": lambda _: post.details["username"],
    }


@service.route("GET", GRAPH + r"/(?P<ig>\d+)/media", "meta.ig_media_list")
def media_list(req: Request) -> Response:
    """The account's feed and reels media, newest first (stories are not on this edge)."""
    _, ig = _account(req, req.params["ig"], READ_SCOPE, "get")
    posts = {
        post.id: post
        for post in STATE.posts_of("instagram", ig.id)
        if post.details["media_product_type"] != "STORY"
    }
    chunk, paging = graph.paginate(req, list(posts))
    fields = parse_fields(req.param("fields"), ["id"])
    data = [render("IGMedia", _media_getters(posts[media_id]), fields) for media_id in chunk]
    return json_response({"data": data, "paging": paging} if data else {"data": []})


@service.route("GET", GRAPH + rf"/(?P<media>{MEDIA_ID})", "meta.post")
def media_node(req: Request) -> Response:
    media_id = req.params["media"]
    post = STATE.find_post("instagram", media_id)
    if post is None:
        raise graph.unsupported(media_id)
    _account(req, post.account_id, READ_SCOPE, "get")
    fields = parse_fields(req.param("fields"), ["id"])
    return json_response(render("IGMedia", _media_getters(post), fields))


@service.route("DELETE", GRAPH + rf"/(?P<media>{MEDIA_ID})", "meta.ig_delete")
def delete_media(req: Request) -> Response:
    """IG Media has no delete operation (developers.facebook.com/docs/instagram-platform/
    reference/instagram-media documents reading and updating only): the Graph's answer for an
    operation a node does not support, whoever asks."""
    meta.authenticate(req)
    raise graph.unsupported(req.params["media"], "delete")


@service.route("GET", GRAPH + r"/(?P<ig>\d+)/content_publishing_limit", "meta.ig_limit")
def publishing_limit(req: Request) -> Response:
    _, ig = _account(req, req.params["ig"], READ_SCOPE, "get")
    try:
        since = float(req.param("since") or 0)
    except ValueError:
        raise invalid("(#100) since must be a unix timestamp") from None
    quota = int(STATE.knob("meta", "instagram_publish_quota"))
    getters = {
        "quota_usage": lambda _: _published_in_window(ig.id, since),
        "config": lambda _: {"quota_total": quota, "quota_duration": QUOTA_WINDOW},
    }
    fields = parse_fields(req.param("fields"), ["quota_usage"])
    return json_response({"data": [render("ContentPublishingLimit", getters, fields)]})
