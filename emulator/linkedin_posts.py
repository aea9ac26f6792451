"""LinkedIn's Images API and Posts API (versioned /rest), as an organisation publishes.

Docs: learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/ — images-api,
posts-api, multiimage-post-api, little-text-format.
"""

from __future__ import annotations

import re
import secrets

from emulator import inbox, linkedin_videos
from emulator.linkedin import (
    ORG,
    READ_SCOPES,
    REST,
    WRITE_SCOPES,
    administered,
    authenticate,
    error,
    illegal,
    page_params,
    paged,
    render_fault,
    rest,
)
from emulator.media import Blob
from emulator.posts import Post
from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE, Page

service = Service("linkedin", render_fault)

UPLOAD = "/linkedin-upload/dms-uploads"
# The commentary takes at most 3,000 characters (posts-api / little-text-format).
COMMENTARY_LIMIT = 3000
# multiImage: "a minimum of 2 and a maximum of 20 images" (multiimage-post-api).
MULTI_IMAGE = (2, 20)
# Same text by the same author within 10 minutes is a duplicate: 422 (ugc-post-api).
DUPLICATE_WINDOW = 600
UPLOAD_URL_TTL = 86_400
# JPG, GIF and PNG only (images-api); anything else ends in PROCESSING_FAILED.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
_ESCAPED = re.compile(r"\\(.)", re.S)
_HASHTAG = re.compile(r"\{hashtag\|\\#\|([^}]*)\}")
_MENTION = re.compile(r"@\[([^\]]*)\]\((urn:li:[^)]*)\)")


def images() -> dict[str, dict]:
    return STATE.table("linkedin_images")


def render(commentary: str) -> str:
    """What members see of "little" text: mentions and hashtag templates shown by name,
    backslash escapes removed (little-text-format)."""
    text = _MENTION.sub(lambda m: m.group(1), commentary)
    text = _HASHTAG.sub(lambda m: "#" + m.group(1), text)
    return _ESCAPED.sub(lambda m: m.group(1), text)


# --- images ----------------------------------------------------------------------------------


@service.route("POST", REST + "/images", "linkedin.images_initialize")
def initialize_upload(req: Request) -> Response:
    token, ver = rest(req, "images.ACTION-initializeUpload", WRITE_SCOPES, keyed=False)
    if req.query.get("action") != "initializeUpload":
        raise illegal("Resource method could not be resolved from request parameters.")
    body = req.json if isinstance(req.json, dict) else {}
    request = body.get("initializeUploadRequest")
    owner = request.get("owner") if isinstance(request, dict) else None
    if not isinstance(owner, str) or not owner:
        raise error(
            422, "/initializeUploadRequest/owner :: field is required", "UNPROCESSABLE_ENTITY"
        )
    # For an organisation owner the member needs an admin or DSC role (images-api).
    if owner.startswith(ORG):
        administered(token, owner, "images.ACTION-initializeUpload", ver)
    elif owner != f"urn:li:person:{token.user_id}":
        raise error(
            403,
            "Not enough permissions to access: images.ACTION-initializeUpload",
            "ACCESS_DENIED",
            100,
        )
    urn = f"urn:li:image:C4E10AQ{secrets.token_urlsafe(12)}"
    key = secrets.token_urlsafe(16)
    expires = STATE.now() + UPLOAD_URL_TTL
    images()[urn] = {
        "owner": owner,
        "key": key,
        "status": "WAITING_UPLOAD",
        "polls_left": STATE.knob("linkedin", "image_processing_polls"),
        "blob": None,
        "upload_expires": expires,
    }
    value = {
        "uploadUrlExpiresAt": int(expires * 1000),
        "uploadUrl": f"{req.base_url}{UPLOAD}/{key}",
        "image": urn,
    }
    return json_response({"value": value})


@service.route("PUT", UPLOAD + r"/(?P<key>[^/]+)", "linkedin.image_upload")
def upload(req: Request) -> Response:
    # The image upload "requires the Authorization: Bearer header, different than the upload
    # video call which doesn't accept an OAuth token" (images-api).
    authenticate(req)
    image = next((i for i in images().values() if i["key"] == req.params["key"]), None)
    if image is None or image["upload_expires"] <= STATE.now():
        raise error(400, "The upload URL is invalid or has expired", "EXPIRED_UPLOAD_URL")
    if not req.body:
        raise error(400, "The upload has no content")
    image["blob"] = Blob.of(req.body, req.headers.get("content-type", ""))
    # Processing is asynchronous: "SYNCHRONOUS_UPLOAD is not supported" (images-api).
    image["status"] = "PROCESSING" if req.body.startswith(_IMAGE_MAGIC) else "PROCESSING_FAILED"
    return Response(201)


def _image_json(urn: str, image: dict, req: Request) -> dict:
    if image["status"] == "PROCESSING":
        if image["polls_left"] > 0:
            image["polls_left"] -= 1
        else:
            image["status"] = "AVAILABLE"
    body = {"owner": image["owner"], "id": urn, "status": image["status"]}
    if image["status"] == "AVAILABLE":
        body["downloadUrl"] = f"{req.base_url}/_media/attachments/{urn.rsplit(':', 1)[1]}.png"
        body["downloadUrlExpiresAt"] = int((STATE.now() + 3600) * 1000)
    return body


@service.route("GET", REST + r"/images/(?P<urn>urn:li:image:[^/]+)", "linkedin.image")
def get_image(req: Request) -> Response:
    token, ver = rest(req, "images.GET", READ_SCOPES | WRITE_SCOPES)
    image = images().get(req.params["urn"])
    if image is None:
        raise error(404, f"Image {req.params['urn']} not found", "NOT_FOUND")
    if image["owner"].startswith(ORG):  # an organisation's images, for its admins
        administered(token, image["owner"], "images.GET", ver)
    return json_response(_image_json(req.params["urn"], image, req))


# --- posts -------------------------------------------------------------------------------------


def add_post(
    org: Page, commentary: str, content: dict | None, media: list[Blob], visibility: str = "PUBLIC"
) -> Post:
    """A published post of the organisation, with its share and activity URNs."""
    number = inbox.number("linkedin_share")
    urn = f"urn:li:share:{7_300_000_000_000_000_000 + number}"
    kind = "TEXT"
    if content is not None:
        kind = "MULTI_IMAGE" if "multiImage" in content else "IMAGE"
        if str(content.get("media", {}).get("id", "")).startswith("urn:li:video:"):
            kind = "VIDEO"
    details = {
        "author": f"{ORG}{org.id}",
        "commentary": commentary,
        "content": content,
        "visibility": visibility,
        "activity": f"urn:li:activity:{7_310_000_000_000_000_000 + number}",
    }
    return STATE.add_post(
        Post(
            "linkedin",
            "linkedin",
            org.id,
            urn,
            kind,
            render(commentary),
            STATE.now(),
            f"https://www.linkedin.com/feed/update/{urn}/",
            media,
            details,
        )
    )


def post_json(post: Post) -> dict:
    created = int(post.created_at * 1000)
    body = {
        "id": post.id,
        "author": post.details["author"],
        "commentary": post.details["commentary"],
        "visibility": post.details["visibility"],
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        "isReshareDisabledByAuthor": False,
        "createdAt": created,
        "publishedAt": created,
        "lastModifiedAt": created,
    }
    if post.details["content"]:
        body["content"] = post.details["content"]
    return body


def find_post(urn: str) -> Post | None:
    """A post by its share URN or its activity URN."""
    return next(
        (
            p
            for p in STATE.posts
            if p.network == "linkedin" and urn in (p.id, p.details.get("activity"))
        ),
        None,
    )


def _available(urn: object, author: str) -> Blob:
    image = images().get(urn) if isinstance(urn, str) else None
    if image is None:
        raise error(400, f"Media {urn} does not exist", "INVALID_URN_ID")
    # The images must be owned by the author (multiimage-post-api).
    if image["owner"] != author:
        raise error(400, f"Media {urn} is not owned by {author}", "ILLEGAL_ARGUMENT")
    # Media must be AVAILABLE before the post is created (videos-api, images-api).
    if image["status"] != "AVAILABLE":
        code = "MEDIA_ASSET_WAITING_UPLOAD"
        if image["status"] == "PROCESSING_FAILED":
            code = "MEDIA_ASSET_PROCESSING_FAILED"
        raise error(400, f"Media {urn} is not available: {image['status']}", code)
    return image["blob"]


def _content_media(content: object, author: str) -> list[Blob]:
    if content is None:
        return []
    if not isinstance(content, dict) or len(content) != 1:
        raise illegal("content must hold exactly one of media, multiImage, article")
    if "media" in content:
        media = content["media"]
        urn = media.get("id") if isinstance(media, dict) else None
        if isinstance(urn, str) and urn.startswith("urn:li:video:"):
            return [linkedin_videos.available_video(urn, author)]
        if not isinstance(urn, str) or not urn.startswith("urn:li:image:"):
            raise error(400, "/content/media/id must be an image or video URN", "INVALID_URN_TYPE")
        return [_available(urn, author)]
    if "multiImage" in content:
        multi = content["multiImage"]
        entries = multi.get("images") if isinstance(multi, dict) else None
        low, high = MULTI_IMAGE
        if not isinstance(entries, list) or not low <= len(entries) <= high:
            raise illegal(f"/content/multiImage/images must hold {low} to {high} images")
        ids = [e.get("id") if isinstance(e, dict) else None for e in entries]
        return [_available(urn, author) for urn in ids]
    raise illegal("The emulator implements media and multiImage content only")


def _check_post(body: dict) -> str:
    """The commentary of a valid create request (posts-api, post-api-schema)."""
    commentary = body.get("commentary", "")
    if not isinstance(commentary, str):
        raise illegal("/commentary must be a string")
    if len(commentary) > COMMENTARY_LIMIT:
        # Too long -> 400 FIELD_LENGTH_TOO_LONG (research notes; exact body unverified).
        message = f"/commentary :: length {len(commentary)} exceeds maximum {COMMENTARY_LIMIT}"
        raise error(400, message, "FIELD_LENGTH_TOO_LONG")
    if body.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
        raise error(422, "/visibility :: field is required", "UNPROCESSABLE_ENTITY")
    distribution = body.get("distribution")
    feed = distribution.get("feedDistribution") if isinstance(distribution, dict) else None
    if feed not in ("MAIN_FEED", "NONE"):
        raise error(
            422, "/distribution/feedDistribution :: field is required", "UNPROCESSABLE_ENTITY"
        )
    # "PUBLISHED is the only accepted field during creation" (posts-api).
    if body.get("lifecycleState") != "PUBLISHED":
        raise illegal("/lifecycleState :: PUBLISHED is the only accepted value during creation")
    return commentary


@service.route("POST", REST + "/posts", "linkedin.posts_create")
def create_post(req: Request) -> Response:
    token, ver = rest(req, "posts.CREATE", WRITE_SCOPES, keyed=False)
    body = req.json if isinstance(req.json, dict) else None
    if body is None:
        raise illegal("The request body must be a JSON post")
    author = body.get("author")
    org = administered(token, author, "posts.CREATE", ver)
    commentary = _check_post(body)
    media = _content_media(body.get("content"), author)
    for earlier in STATE.posts_of("linkedin", org.id):
        recent = STATE.now() - earlier.created_at < DUPLICATE_WINDOW
        same = (earlier.details["commentary"], earlier.details["content"]) == (
            commentary,
            body.get("content"),
        )
        if recent and same and commentary:
            raise error(422, f"Content is a duplicate of {earlier.id}", "DUPLICATE_POST")
    post = add_post(org, commentary, body.get("content"), media, body["visibility"])
    # 201 with an empty body; the URN is in the x-restli-id header (posts-api).
    return Response(201, b"", {"x-restli-id": post.id})


@service.route("GET", REST + "/posts", "linkedin.posts_by_author")
def posts_by_author(req: Request) -> Response:
    token, ver = rest(req, "posts.FINDER-author", READ_SCOPES)
    if req.query.get("q") != "author":
        raise illegal("Resource method could not be resolved from request parameters.")
    org = administered(token, req.query.get("author"), "posts.FINDER-author", ver)
    sort = req.query.get("sortBy", "LAST_MODIFIED")
    if sort not in ("LAST_MODIFIED", "CREATED"):
        raise illegal("sortBy must be LAST_MODIFIED or CREATED")
    start, count = page_params(req)
    if count > 100:  # "count" is at most 100 on this finder (posts-api)
        raise illegal("count must be at most 100")
    elements = [post_json(p) for p in STATE.posts_of("linkedin", org.id)]
    return json_response(paged(elements, start, count))


@service.route("GET", REST + r"/posts/(?P<urn>urn:li:(share|ugcPost):\d+)", "linkedin.post")
def get_post(req: Request) -> Response:
    token, ver = rest(req, "posts.GET", READ_SCOPES)
    post = find_post(req.params["urn"])
    if post is None:
        raise error(404, f"Post {req.params['urn']} not found", "NOT_FOUND")
    administered(token, post.details["author"], "posts.GET", ver)
    return json_response(post_json(post))


@service.route(
    "DELETE", REST + r"/posts/(?P<urn>urn:li:(share|ugcPost):\d+)", "linkedin.posts_delete"
)
def delete_post(req: Request) -> Response:
    """Delete Posts (posts-api): an admin of the author organisation, w_organization_social,
    204 No Content. Deletes are idempotent: a post deleted before answers 204 again; one
    LinkedIn never had is 404."""
    token, ver = rest(req, "posts.DELETE", WRITE_SCOPES)
    urn = req.params["urn"]
    deleted = STATE.table("linkedin_deleted_posts")  # urn -> its author
    post = find_post(urn)
    if post is None and urn not in deleted:
        raise error(404, f"Post {urn} not found", "NOT_FOUND")
    author = post.details["author"] if post else deleted[urn]
    administered(token, author, "posts.DELETE", ver)
    if post is not None:
        STATE.posts.remove(post)
        deleted[post.id] = author
    return Response(204)
