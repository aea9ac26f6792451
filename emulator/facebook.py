"""Meta: publishing to Facebook Pages and reading their posts back (platform-apis.md §2.2).

Every call takes the Page's own access token. Photos and videos come as a multipart `source`
part or a URL the emulator downloads; a URL that cannot be downloaded fails the call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from emulator import facebook_metrics, graph, media, meta
from emulator.graph import GRAPH, arg, flag, graph_error, invalid, parse_fields, render, text_arg
from emulator.media import Blob
from emulator.posts import Post
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, Page

PHOTO_LIMIT = 4 * 1024 * 1024
POST_ID = r"\d+_\d+"
MEDIA_ID = r"3\d{13}"  # the emulator's photo and video ids (state.py "fb_media")
POST_FIELDS = ("id", "message", "created_time", "permalink_url", "is_published", "status_type")

service = Service("meta", meta.render_fault, meta.add_usage)


@dataclass
class PageMedia:
    """A photo or video uploaded to a Page; published ones also have a post."""

    id: str
    page_id: str
    kind: str  # "photo" or "video"
    blob: Blob
    text: str
    title: str
    created_at: float
    post_id: str | None = None
    attached: bool = False  # an unpublished photo already used by a feed post


def _page(req: Request, page_id: str, verb: str) -> Page:
    """The Page behind a /{page-id}/… edge, for its own Page token with the permissions a
    `verb` ("post": publish, "get": read) needs."""
    token = meta.authenticate(req)
    found = STATE.find_page(page_id)
    if found is None or found[0].id != token.user_id or token.page_id not in (None, page_id):
        raise graph.unsupported(page_id, verb)
    if token.kind != "page":
        message = "(#210) A page access token is required to request this resource."
        raise Abort(graph_error(400, 210, message))
    if verb == "post" and not {"pages_manage_posts", "pages_read_engagement"} <= set(token.scopes):
        raise graph.missing_permission(
            200,
            "(#200) If posting to a page, requires both pages_read_engagement and "
            "pages_manage_posts as an admin with sufficient administrative permission",
        )
    if "pages_read_engagement" not in token.scopes:
        raise graph.missing_permission(
            10,
            "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page "
            "Public Content Access' feature.",
        )
    return found[1]


def _upload(req: Request, url_param: str, failure: Response, missing: Abort) -> Blob:
    """The media of a photo or video call: a multipart `source` part, or a URL to download."""
    if "source" in req.files:
        return req.files["source"].blob()
    url = text_arg(req, url_param)
    if not url:
        raise missing
    timeout = float(STATE.knob("meta", "media_fetch_timeout"))
    result = media.fetched(req, [url], timeout)[0]
    if result.blob is None:
        raise Abort(failure)
    return result.blob


def add_post(
    page: Page,
    kind: str,
    text: str,
    blobs: list[Blob],
    number: str | None = None,
    **details: object,
) -> Post:
    """A Page post `{page-id}_{number}` with its permalink; a photo post takes its photo's
    number. `/_control/posts` makes earlier posts with it too."""
    number = number or STATE.next_id("fb_post")
    return STATE.add_post(
        Post(
            platform="meta",
            network="facebook",
            account_id=page.id,
            id=f"{page.id}_{number}",
            kind=kind,
            text=text,
            created_at=STATE.now(),
            permalink=f"https://www.facebook.com/{page.id}/posts/{number}",
            media=blobs,
            details={"published": True, **details},
        )
    )


def _answer_fields(req: Request) -> list[tuple[str, str | None]]:
    """What a publish call's `fields=id,permalink_url` asks about the new post; checked before
    anything is published."""
    fields = parse_fields(req.param("fields"), [])
    if unknown := [name for name, _ in fields if name not in POST_FIELDS]:
        raise invalid(
            f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node type (Post)"
        )
    return fields


def _answer(post: Post, body: dict, fields: list[tuple[str, str | None]]) -> Response:
    return json_response({**body, **render("Post", _post_getters(post), fields)})


def _attached_media(req: Request, page: Page) -> list[PageMedia]:
    """The photos of `attached_media`: a JSON list, or form fields `attached_media[0]`, … each
    holding one JSON object (how form-encoded Graph calls send lists)."""
    raw = arg(req, "attached_media")
    indexed = sorted(
        (int(match.group(1)), value)
        for name, value in req.form.items()
        if (match := re.fullmatch(r"attached_media\[(\d+)\]", name))
    )
    if raw in (None, "") and not indexed:
        return []
    try:
        if indexed:
            items = [json.loads(value) for _, value in indexed]
        else:
            items = json.loads(raw) if isinstance(raw, str) else raw
        ids = [str(item["media_fbid"]) for item in items]
    except (ValueError, TypeError, KeyError):
        message = '(#100) attached_media must be a list of {"media_fbid": "<photo id>"}'
        raise invalid(message) from None
    photos = [STATE.table("fb_media").get(media_id) for media_id in ids]
    for media_id, photo in zip(ids, photos, strict=True):
        usable = photo and photo.page_id == page.id and photo.kind == "photo"
        if not usable or photo.post_id or photo.attached:
            raise invalid(f"(#100) media_fbid {media_id} is not an unpublished photo of this Page")
    return photos


def _repeats_latest(page: Page, message: str, link: str | None) -> bool:
    """Facebook refuses a status that repeats the Page's latest published one."""
    published = [p for p in STATE.posts_of("facebook", page.id) if p.details["published"]]
    if not published:
        return False
    latest = published[0]
    return (latest.text, latest.details.get("link")) == (message, link)


@service.route("POST", GRAPH + r"/(?P<page>\d+)/feed", "meta.feed")
def feed(req: Request) -> Response:
    page = _page(req, req.params["page"], "post")
    fields = _answer_fields(req)
    message, link = text_arg(req, "message"), text_arg(req, "link") or None
    if arg(req, "scheduled_publish_time") not in (None, ""):
        raise invalid("(#100) scheduled_publish_time is not emulated: publish when it is time")
    photos = _attached_media(req, page)
    if not (message or link or photos):
        raise invalid("(#100) Missing message or attachment")
    if link and (urlsplit(link).scheme not in ("http", "https") or not urlsplit(link).netloc):
        raise invalid("(#100) link URL is not properly formatted")
    if message and _repeats_latest(page, message, link):
        raise Abort(graph_error(400, 506, "(#506) Duplicate status message"))
    kind = "added_photos" if photos else "shared_story" if link else "mobile_status_update"
    blobs = [photo.blob for photo in photos]
    post = add_post(page, kind, message, blobs, link=link, published=flag(req, "published", True))
    for photo in photos:
        photo.attached = True
    return _answer(post, {"id": post.id}, fields)


@service.route("POST", GRAPH + r"/(?P<page>\d+)/photos", "meta.photos")
def photos(req: Request) -> Response:
    page = _page(req, req.params["page"], "post")
    fields = _answer_fields(req)
    failure = graph_error(400, 324, "(#324) Missing or invalid image file")
    blob = _upload(req, "url", failure, Abort(graph_error(400, 324, "(#324) Requires upload file")))
    if blob.size > PHOTO_LIMIT:
        raise invalid(
            "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as JPG, "
            "PNG, GIF, TIFF, HEIF or WebP files.",
            1366046,
        )
    caption = text_arg(req, "caption") or text_arg(req, "message")
    photo = PageMedia(STATE.next_id("fb_media"), page.id, "photo", blob, caption, "", STATE.now())
    STATE.table("fb_media")[photo.id] = photo
    if not flag(req, "published", True):
        return json_response({"id": photo.id})
    post = add_post(page, "added_photos", caption, [blob], photo.id, photo_id=photo.id)
    photo.post_id = post.id
    return _answer(post, {"id": photo.id, "post_id": post.id}, fields)


@service.route("POST", GRAPH + r"/(?P<page>\d+)/videos", "meta.videos")
def videos(req: Request) -> Response:
    page = _page(req, req.params["page"], "post")
    failure = graph_error(400, 389, "Unable to fetch video file from URL.", 1363057)
    missing = invalid("(#100) Give the video as a multipart source or a file_url")
    blob = _upload(req, "file_url", failure, missing)
    description, title = text_arg(req, "description"), text_arg(req, "title")
    video = PageMedia(
        STATE.next_id("fb_media"), page.id, "video", blob, description, title, STATE.now()
    )
    STATE.table("fb_media")[video.id] = video
    if flag(req, "published", True):
        # The Video and its feed post are two objects: the post has its own id, read back as
        # the Video's `post_id` (SDK advideo.py Field.post_id); comment webhooks name the post.
        post = add_post(page, "added_video", description, [blob], video_id=video.id, title=title)
        video.post_id = post.id
    return json_response({"id": video.id})


def _post_getters(post: Post) -> dict:
    return {
        "id": lambda _: post.id,
        "message": lambda _: post.text or None,
        "created_time": lambda _: graph.graph_time(post.created_at),
        "permalink_url": lambda _: post.permalink,
        "is_published": lambda _: post.details["published"],
        "status_type": lambda _: post.kind,
        **facebook_metrics.post_counts(post),
    }


def _media_getters(item: PageMedia) -> dict:
    post = STATE.find_post("facebook", item.post_id or "")
    getters = {
        "id": lambda _: item.id,
        "created_time": lambda _: graph.graph_time(item.created_at),
        "permalink_url": lambda _: post.permalink if post else None,
    }
    if item.kind == "photo":
        getters["name"] = lambda _: item.text or None
        getters["page_story_id"] = lambda _: item.post_id
    else:
        getters["description"] = lambda _: item.text or None
        getters["title"] = lambda _: item.title or None
        getters["post_id"] = lambda _: item.post_id  # `{page-id}_{post-id}` (SDK AdVideo)
        getters["status"] = lambda _: {"video_status": "ready", "processing_progress": 100}
    return getters


@service.route("GET", GRAPH + r"/(?P<page>\d+)/(?P<edge>published_posts|posts|feed)", "meta.posts")
def page_posts(req: Request) -> Response:
    """The Page's published posts, newest first, paginated like every Graph edge."""
    page = _page(req, req.params["page"], "get")
    posts = {p.id: p for p in STATE.posts_of("facebook", page.id) if p.details["published"]}
    chunk, paging = graph.paginate(req, list(posts))
    fields = parse_fields(req.param("fields"), ["created_time", "message", "id"])
    data = [render("Post", _post_getters(posts[post_id]), fields) for post_id in chunk]
    return json_response({"data": data, "paging": paging} if data else {"data": []})


@service.route("GET", GRAPH + rf"/(?P<object>{POST_ID}|{MEDIA_ID})", "meta.post")
def page_object(req: Request) -> Response:
    """One Page post, photo or video."""
    object_id = req.params["object"]
    item = STATE.table("fb_media").get(object_id)
    post = STATE.find_post("facebook", object_id)
    page_id = item.page_id if item else post.account_id if post else None
    token = meta.authenticate(req)
    found = STATE.find_page(page_id or "")
    if found is None or found[0].id != token.user_id or token.page_id not in (None, page_id):
        raise graph.unsupported(object_id)
    if item:
        fields = parse_fields(req.param("fields"), ["id", "created_time"])
        node_type = "Photo" if item.kind == "photo" else "Video"
        return json_response(render(node_type, _media_getters(item), fields))
    fields = parse_fields(req.param("fields"), ["created_time", "message", "id"])
    return json_response(render("Post", _post_getters(post), fields))


@service.route("DELETE", GRAPH + rf"/(?P<object>{POST_ID})", "meta.delete_post")
def delete_post(req: Request) -> Response:
    """Delete a Page post with the Page's token (developers.facebook.com/docs/pages-api/posts,
    "Delete a post": pages_manage_posts, answers {"success": true}). A post that does not
    exist, is gone already or belongs to a Page the token does not reach answers the Graph's
    (#100) subcode 33."""
    post_id = req.params["object"]
    token = meta.authenticate(req)
    post = STATE.find_post("facebook", post_id)
    found = STATE.find_page(post.account_id) if post else None
    if found is None or found[0].id != token.user_id or token.page_id not in (None, found[1].id):
        raise graph.unsupported(post_id, "delete")
    if token.kind != "page":
        message = "(#210) A page access token is required to request this resource."
        raise Abort(graph_error(400, 210, message))
    if "pages_manage_posts" not in token.scopes:
        raise graph.missing_permission(
            200, "(#200) The user hasn't authorized the application to perform this action"
        )
    STATE.posts.remove(post)
    for item in STATE.table("fb_media").values():
        if item.post_id == post.id:  # the photo or video stays, without its feed post
            item.post_id = None
    return json_response({"success": True})
