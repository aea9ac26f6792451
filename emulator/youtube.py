"""YouTube: the resumable videos.insert on the upload host, and reading videos back with
videos.list and search.list (platform-apis.md §6.3, §6.4).

The session POST checks the metadata and answers a session URI (`Location`) on the emulator;
PUTs to it carry the whole file or chunks (`308 Resume Incomplete` with `Range` until the last
byte), and `Content-Range: bytes */{total}` asks how far the upload got.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

from emulator import google, youtube_metrics
from emulator.google import api_error
from emulator.media import Blob, Upload
from emulator.posts import Post, iso, parse_iso
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, Channel, Token

UPLOAD_PATH = "/youtube-upload/v3/videos"
SCOPE = "https://www.googleapis.com/auth/"
UPLOAD_SCOPES = {SCOPE + name for name in ("youtube.upload", "youtube", "youtube.force-ssl")}
READ_SCOPES = {SCOPE + name for name in ("youtube.readonly", "youtube", "youtube.force-ssl")}
# videos.delete: youtubepartner, youtube or youtube.force-ssl (not youtube.upload), 50 units
# (developers.google.com/youtube/v3/docs/videos/delete).
DELETE_SCOPES = {SCOPE + name for name in ("youtubepartner", "youtube", "youtube.force-ssl")}
DELETE_COST = 50
VIDEO_PARTS = ("id", "snippet", "status", "contentDetails", "statistics")
PRIVACY = ("private", "public", "unlisted")
TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 5000  # bytes of UTF-8
TAGS_LIMIT = 500
SEARCH_MAX = 50

service = Service("google", google.render_fault)


@dataclass
class Session:
    id: str
    channel: Channel
    parts: list[str]
    snippet: dict
    status: dict
    content_type: str
    upload: Upload
    video_id: str | None = None


def _bad(status: int, reason: str, message: str, domain: str = "youtube.video") -> Abort:
    return Abort(api_error(status, message, domain, reason))


def _authenticate(req: Request, scopes: set[str], cost: int = 0) -> Token:
    """The caller's token, its call charged to its project's quota (`cost` units)."""
    token = google.authenticate(req)
    if cost:
        google.charge(token, cost)
    if not scopes & set(token.scopes):
        message = "Request had insufficient authentication scopes."
        raise Abort(
            api_error(403, message, "global", "insufficientPermissions", "PERMISSION_DENIED")
        )
    return token


def _parts(req: Request) -> list[str]:
    parts = [p.strip() for p in (req.query.get("part") or "").split(",") if p.strip()]
    if not parts:
        raise _bad(400, "required", "Required parameter: part", "global")
    if unknown := [p for p in parts if p not in VIDEO_PARTS]:
        raise _bad(400, "unknownPart", f"'{unknown[0]}'", "youtube.part")
    return parts


def _check_metadata(snippet: dict, status: dict) -> None:
    title = snippet.get("title")
    valid = isinstance(title, str) and title.strip() and len(title) <= TITLE_LIMIT
    if not valid or re.search(r"[<>]", title):
        message = "The request metadata specifies an invalid or empty video title."
        raise _bad(400, "invalidTitle", message)
    description = snippet.get("description", "")
    valid = isinstance(description, str) and len(description.encode()) <= DESCRIPTION_LIMIT
    if not valid or re.search(r"[<>]", description):
        message = "The request metadata specifies an invalid video description."
        raise _bad(400, "invalidDescription", message)
    tags = snippet.get("tags", [])
    if not isinstance(tags, list) or sum(len(str(tag)) for tag in tags) > TAGS_LIMIT:
        raise _bad(400, "invalidTags", "The request metadata specifies invalid video keywords.")
    if status.get("privacyStatus", "public") not in PRIVACY:
        raise _bad(400, "invalidVideoMetadata", "The request metadata is invalid.")
    if status.get("publishAt") is not None:
        try:
            parse_iso(str(status["publishAt"]))
        except ValueError:
            message = "The request metadata specifies an invalid scheduled publishing time."
            raise _bad(400, "invalidPublishAt", message) from None


@service.route("POST", UPLOAD_PATH, "youtube.upload_session")
def start_session(req: Request) -> Response:
    # videos.insert has its own daily bucket (100 calls), not Data API units
    # (developers.google.com/youtube/data/determine_quota_cost): no units charged.
    token = _authenticate(req, UPLOAD_SCOPES)
    channel = STATE.user("google", token.user_id).channel
    if channel is None:
        message = "The user has no YouTube channel: create one first."
        raise _bad(401, "youtubeSignupRequired", message, "youtube.header")
    if req.query.get("uploadType") != "resumable":
        raise _bad(
            400, "badRequest", "The emulator implements uploadType=resumable only.", "global"
        )
    parts = _parts(req)
    if not isinstance(req.json, dict):
        raise _bad(400, "invalidVideoMetadata", "The request body must be a video resource.")
    snippet, status = req.json.get("snippet") or {}, req.json.get("status") or {}
    if not isinstance(snippet, dict) or not isinstance(status, dict):
        raise _bad(400, "invalidVideoMetadata", "snippet and status must be objects.")
    _check_metadata(snippet, status)
    content_type = req.headers.get("x-upload-content-type", "application/octet-stream")
    if not (content_type.startswith("video/") or content_type == "application/octet-stream"):
        message = (
            f"Media type '{content_type}' is not supported. Valid media types: "
            "[video/*, application/octet-stream]"
        )
        raise _bad(400, "badContent", message, "global")
    length = req.headers.get("x-upload-content-length")
    if length is not None and not length.isdigit():
        raise _bad(400, "badRequest", "X-Upload-Content-Length must be a byte count.", "global")
    session = Session(
        STATE.next_id("upload"),
        channel,
        parts,
        snippet,
        status,
        content_type,
        Upload(int(length) if length is not None else None),
    )
    STATE.table("youtube_session")[session.id] = session
    location = f"{req.base_url}{UPLOAD_PATH}?uploadType=resumable&upload_id={session.id}"
    return Response(200, b"", {"Location": location, "X-GUploader-UploadID": session.id})


def _incomplete(upload: Upload) -> Response:
    headers = {"Range": f"bytes=0-{upload.received - 1}"} if upload.received else {}
    return Response(308, b"", headers, reason="Resume Incomplete")


def _set_total(upload: Upload, total: str) -> None:
    if total == "*":
        return
    if upload.total is not None and int(total) != upload.total:
        message = f"The upload size is {upload.total} bytes, not {total}."
        raise _bad(400, "badRequest", message, "global")
    upload.total = int(total)


@service.route("PUT", UPLOAD_PATH, "youtube.upload")
def upload(req: Request) -> Response:
    """The whole file, a chunk (`Content-Range: bytes a-b/total`) or a status query."""
    # Every PUT to the session URI carries "Authorization: Bearer" in the guide's requests
    # (developers.google.com/youtube/v3/guides/using_resumable_upload_protocol, steps 3, 4.1
    # and 4.3): without a valid one, Google's 401.
    google.authenticate(req)
    session = STATE.table("youtube_session").get(req.query.get("upload_id", ""))
    if session is None:
        raise _bad(404, "notFound", "The upload session does not exist or has expired.", "global")
    if session.video_id:  # complete: every call answers the video
        return _finished(req, session)
    upload, data = session.upload, req.body
    content_range = req.headers.get("content-range", "").strip()
    if query := re.fullmatch(r"bytes \*/(\d+|\*)", content_range):
        _set_total(upload, query.group(1))
        return _incomplete(upload)
    if not content_range:
        first, total = 0, str(len(data))
    elif chunk := re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range):
        first, last, total = int(chunk.group(1)), int(chunk.group(2)), chunk.group(3)
        if last - first + 1 != len(data):
            raise _bad(400, "badRequest", "Content-Range does not match the body.", "global")
    else:
        raise _bad(400, "badRequest", "Content-Range must be 'bytes a-b/total'.", "global")
    _set_total(upload, total)
    if first > upload.received:
        message = (
            f"Invalid request. According to the Content-Range header, the upload offset is "
            f"{first} byte(s), which exceeds already uploaded size of {upload.received} byte(s)."
        )
        raise _bad(400, "badRequest", message, "global")
    new = data[upload.received - first :]  # bytes sent again after a resume are skipped
    if upload.total is not None and upload.received + len(new) > upload.total:
        raise _bad(400, "badRequest", "The body runs past the upload size.", "global")
    if new:
        upload.add(new)
    if not upload.complete:
        return _incomplete(upload)
    _create_video(session)
    return _finished(req, session)


def _create_video(session: Session) -> None:
    status = session.status
    if STATE.knob("google", "force_private"):  # the knob locks API uploads only
        status = {**status, "privacyStatus": "private"}
    blob = session.upload.blob(session.content_type)
    session.video_id = add_video(session.channel, session.snippet, status, [blob]).id


def add_video(channel: Channel, snippet: dict, status: dict, media: list[Blob]) -> Post:
    """A video of the channel with the id and permalink YouTube gives it, from checked
    metadata. `/_control/posts` makes earlier videos with it too."""
    video_id = STATE.next_id("youtube_video")
    privacy = status.get("privacyStatus") or "public"
    return STATE.add_post(
        Post(
            platform="google",
            network="youtube",
            account_id=channel.id,
            id=video_id,
            kind="video",
            text=snippet["title"],
            created_at=STATE.now(),
            permalink=f"https://www.youtube.com/watch?v={video_id}",
            media=media,
            details={
                "channel_title": channel.title,
                "description": snippet.get("description", ""),
                "tags": snippet.get("tags", []),
                "category_id": str(snippet.get("categoryId", "22")),
                "privacy_status": privacy,
                # publishAt only counts for private videos
                "publish_at": status.get("publishAt") if privacy == "private" else None,
                "made_for_kids": bool(status.get("selfDeclaredMadeForKids", False)),
            },
        )
    )


def _finished(req: Request, session: Session) -> Response:
    post = STATE.find_post("youtube", session.video_id)
    return json_response(_video_json(req, post, session.parts, uploaded=True))


def _thumbnails(req: Request, video_id: str) -> dict:
    url = req.avatar_url(f"youtube-{video_id}")
    sizes = (("default", 120, 90), ("medium", 320, 180), ("high", 480, 360))
    return {size: {"url": url, "width": w, "height": h} for size, w, h in sizes}


def _video_json(req: Request, post: Post, parts: list[str], uploaded: bool = False) -> dict:
    details = post.details
    item: dict = {"kind": "youtube#video", "etag": secrets.token_urlsafe(20), "id": post.id}
    if "snippet" in parts:
        item["snippet"] = {
            "publishedAt": iso(post.created_at),
            "channelId": post.account_id,
            "title": post.text,
            "description": details["description"],
            "thumbnails": _thumbnails(req, post.id),
            "channelTitle": details["channel_title"],
            "tags": details["tags"],
            "categoryId": details["category_id"],
            "liveBroadcastContent": "none",
            "localized": {"title": post.text, "description": details["description"]},
        }
    if "status" in parts:
        status = {
            "uploadStatus": "uploaded" if uploaded else "processed",
            "privacyStatus": details["privacy_status"],
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": details["made_for_kids"],
            "selfDeclaredMadeForKids": details["made_for_kids"],
        }
        if details["publish_at"]:
            status["publishAt"] = details["publish_at"]
        item["status"] = status
    if "contentDetails" in parts:
        item["contentDetails"] = {"duration": "PT15S", "dimension": "2d", "definition": "hd"}
    if "statistics" in parts:
        item["statistics"] = youtube_metrics.video_statistics(post)
    return item


def _visible(post: Post, token: Token) -> bool:
    """Public and unlisted videos are visible to anyone, private ones to their owner."""
    user = STATE.user("google", token.user_id)
    own = user.channel is not None and user.channel.id == post.account_id
    return own or post.details["privacy_status"] != "private"


@service.route("GET", r"/youtube/v3/videos", "youtube.videos")
def videos(req: Request) -> Response:
    token = _authenticate(req, READ_SCOPES, google.LIST_COST)
    parts = _parts(req)
    if not req.query.get("id"):
        message = "No filter selected. Expected one of: myRating, chart, id"
        raise _bad(400, "missingRequiredParameter", message, "youtube.parameter")
    wanted = req.query["id"].split(",")
    found = [STATE.find_post("youtube", video_id) for video_id in wanted]
    items = [_video_json(req, post, parts) for post in found if post and _visible(post, token)]
    return json_response(
        {
            "kind": "youtube#videoListResponse",
            "etag": secrets.token_urlsafe(20),
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
    )


@service.route("DELETE", r"/youtube/v3/videos", "youtube.delete")
def delete_video(req: Request) -> Response:
    """videos.delete: 204 No Content; 404 videoNotFound for an id YouTube does not have, 403
    forbidden for another channel's video (developers.google.com/youtube/v3/docs/videos/delete)."""
    token = _authenticate(req, DELETE_SCOPES, DELETE_COST)
    video_id = req.query.get("id")
    if not video_id:
        message = "Required parameter: id"
        raise _bad(400, "required", message, "global")
    post = STATE.find_post("youtube", video_id)
    if post is None:
        message = (
            "The video that you are trying to delete cannot be found. Check the value of the "
            "<code>id</code> parameter in the request to ensure that it is correct."
        )
        raise _bad(404, "videoNotFound", message)
    user = STATE.user("google", token.user_id)
    if user.channel is None or user.channel.id != post.account_id:
        message = (
            "The video that you are trying to delete cannot be deleted. The request might not "
            "be properly authorized."
        )
        raise _bad(403, "forbidden", message)
    STATE.posts.remove(post)
    return Response(204)


def _search_matches(req: Request, token: Token) -> list[Post]:
    query = req.query
    if query.get("forMine") == "true":
        if query.get("type") != "video":
            message = (
                "The request contains an invalid combination of search filters and/or "
                "restrictions. Note that you must set the type parameter to video if you set "
                "either the forContentOwner or forMine parameters to true."
            )
            raise _bad(400, "invalidSearchFilter", message, "youtube.search")
        channel = STATE.user("google", token.user_id).channel
        posts = STATE.posts_of("youtube", channel.id) if channel else []
    else:
        everyone = [p for p in reversed(STATE.posts) if p.network == "youtube"]
        channel_id = query.get("channelId")
        posts = [
            p
            for p in everyone
            if p.details["privacy_status"] == "public" and channel_id in (None, p.account_id)
        ]
    if words := (query.get("q") or "").lower():
        posts = [p for p in posts if words in f"{p.text} {p.details['description']}".lower()]
    if query.get("order") == "title":
        posts = sorted(posts, key=lambda p: p.text.lower())
    return posts


@service.route("GET", r"/youtube/v3/search", "youtube.search")
def search(req: Request) -> Response:
    """Videos newest first (order=date; other orders are treated alike, title aside)."""
    # search.list has its own daily bucket, not Data API units (determine_quota_cost).
    token = _authenticate(req, READ_SCOPES)
    parts = [p.strip() for p in (req.query.get("part") or "").split(",") if p.strip()]
    if not parts or any(part not in ("id", "snippet") for part in parts):
        raise _bad(400, "unknownPart", f"'{req.query.get('part')}'", "youtube.part")
    try:
        limit = int(req.query.get("maxResults") or 5)
        token_text = req.query.get("pageToken") or ""
        start = int(base64.urlsafe_b64decode(token_text).decode()) if token_text else 0
    except (ValueError, binascii.Error):
        raise _bad(
            400,
            "invalidPageToken",
            "The request specifies an invalid page token.",
            "youtube.parameter",
        ) from None
    if not 0 <= limit <= SEARCH_MAX:
        message = f"Invalid value for maxResults: {limit}; it must be 0-{SEARCH_MAX}."
        raise _bad(400, "invalidParameter", message, "youtube.parameter")
    matches = _search_matches(req, token)
    page = matches[start : start + limit]
    body: dict = {
        "kind": "youtube#searchListResponse",
        "etag": secrets.token_urlsafe(20),
        "regionCode": "US",
        "pageInfo": {"totalResults": len(matches), "resultsPerPage": limit},
        "items": [_search_result(req, post, parts) for post in page],
    }
    if limit and start + limit < len(matches):
        body["nextPageToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return json_response(body)


def _search_result(req: Request, post: Post, parts: list[str]) -> dict:
    item: dict = {
        "kind": "youtube#searchResult",
        "etag": secrets.token_urlsafe(20),
        "id": {"kind": "youtube#video", "videoId": post.id},
    }
    if "snippet" in parts:
        video = _video_json(req, post, ["snippet"])["snippet"]
        item["snippet"] = {
            "publishedAt": video["publishedAt"],
            "channelId": video["channelId"],
            "title": video["title"],
            "description": video["description"],
            "thumbnails": video["thumbnails"],
            "channelTitle": video["channelTitle"],
            "liveBroadcastContent": "none",
            "publishTime": video["publishedAt"],
        }
    return item
