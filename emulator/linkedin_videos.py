"""LinkedIn's Videos API: initialise an upload, PUT each 4 MiB part to its own URL, finalise
with the parts' ETags in order, then wait for AVAILABLE.

Docs: learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api.
"""

from __future__ import annotations

import hashlib
import secrets

from emulator.linkedin import (
    ORG,
    READ_SCOPES,
    REST,
    WRITE_SCOPES,
    administered,
    error,
    illegal,
    render_fault,
    rest,
)
from emulator.media import Blob, Upload
from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE, Token

service = Service("linkedin", render_fault)

UPLOAD = "/linkedin-upload/video-parts"
PART = 4 * 1024 * 1024  # lastByte - firstByte + 1 = 4194304; the last part is shorter
# Feed videos: 75 KB to 500 MB (videos-api); the upload itself allows up to 5 GB.
FEED_SIZE = (75 * 1024, 500 * 1024 * 1024)
UPLOAD_LIMIT = 5 * 1024 * 1024 * 1024
URLS_TTL = 30 * 86_400  # upload URLs "typically" last 30 days (uploadUrlsExpireAt)


def videos() -> dict[str, dict]:
    return STATE.table("linkedin_videos")


@service.route("POST", REST + "/videos", "linkedin.videos_action")
def action(req: Request) -> Response:
    token, ver = rest(req, "videos.ACTION", WRITE_SCOPES, keyed=False)
    body = req.json if isinstance(req.json, dict) else {}
    if req.query.get("action") == "initializeUpload":
        return _initialize(req, token, ver, body.get("initializeUploadRequest"))
    if req.query.get("action") == "finalizeUpload":
        return _finalize(token, ver, body.get("finalizeUploadRequest"))
    raise illegal("Resource method could not be resolved from request parameters.")


def _initialize(req: Request, token: Token, ver: str, request: object) -> Response:
    request = request if isinstance(request, dict) else {}
    owner, size = request.get("owner"), request.get("fileSizeBytes")
    if not isinstance(owner, str) or not owner.startswith(ORG):
        raise error(
            422, "/initializeUploadRequest/owner :: field is required", "UNPROCESSABLE_ENTITY"
        )
    administered(token, owner, "videos.ACTION-initializeUpload", ver)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= UPLOAD_LIMIT:
        raise illegal("/initializeUploadRequest/fileSizeBytes must be 1 byte to 5 GB")
    urn = f"urn:li:video:C5505AQ{secrets.token_urlsafe(12)}"
    expires = STATE.now() + URLS_TTL
    parts = []
    for first in range(0, size, PART):
        last = min(first + PART, size) - 1
        parts.append({"key": secrets.token_urlsafe(16), "first": first, "last": last, "etag": None})
    videos()[urn] = {
        "owner": owner,
        "size": size,
        "parts": parts,
        "token": "",
        "expires": expires,
        "status": "WAITING_UPLOAD",
        "polls_left": STATE.knob("linkedin", "image_processing_polls"),
        "upload": Upload(size),
        "blob": None,
        "reason": None,
    }
    instructions = [
        {
            "uploadUrl": f"{req.base_url}{UPLOAD}/{p['key']}",
            "firstByte": p["first"],
            "lastByte": p["last"],
        }
        for p in parts
    ]
    value = {
        "uploadUrlsExpireAt": int(expires * 1000),
        "video": urn,
        "uploadInstructions": instructions,
        "uploadToken": "",
    }
    return json_response({"value": value})


def _part(key: str) -> tuple[dict, dict] | None:
    for video in videos().values():
        for part in video["parts"]:
            if part["key"] == key:
                return video, part
    return None


@service.route("PUT", UPLOAD + r"/(?P<key>[^/]+)", "linkedin.video_part")
def upload_part(req: Request) -> Response:
    # The part upload "doesn't accept an OAuth token" and needs none (videos-api).
    found = _part(req.params["key"])
    if found is None:
        raise error(404, "Unknown upload URL", "NOT_FOUND")
    video, part = found
    if video["expires"] <= STATE.now():
        raise error(400, "The upload URL has expired", "EXPIRED_UPLOAD_URL")
    if len(req.body) != part["last"] - part["first"] + 1:
        raise illegal(f"This part takes bytes {part['first']} to {part['last']}")
    part["etag"] = hashlib.md5(req.body, usedforsecurity=False).hexdigest()
    _take(video, part, req.body)
    # 200, no body, and an ETag header to send back at finalize (videos-api).
    return Response(200, b"", {"ETag": part["etag"]})


def _take(video: dict, part: dict, data: bytes) -> None:
    """Hash the parts in byte order as they become contiguous; only a part that arrives
    ahead of an earlier one is held until that one comes."""
    upload: Upload = video["upload"]
    if part["first"] < upload.received:
        return  # the same part again: its bytes are counted already
    part["waiting"] = data
    for ahead in video["parts"]:
        if ahead["first"] == upload.received and "waiting" in ahead:
            upload.add(ahead.pop("waiting"))


def _finalize(token: Token, ver: str, request: object) -> Response:
    request = request if isinstance(request, dict) else {}
    video = videos().get(request.get("video"))
    if video is None:
        raise error(404, f"Video {request.get('video')} not found", "NOT_FOUND")
    administered(token, video["owner"], "videos.ACTION-finalizeUpload", ver)
    if request.get("uploadToken", "") != video["token"]:
        raise illegal("/finalizeUploadRequest/uploadToken does not match the upload")
    # uploadedPartIds: every part's ETag, in upload order (videos-api).
    if request.get("uploadedPartIds") != [p["etag"] for p in video["parts"]] or any(
        p["etag"] is None for p in video["parts"]
    ):
        raise illegal("/finalizeUploadRequest/uploadedPartIds must list every part's ETag in order")
    if video["status"] == "WAITING_UPLOAD":
        video["blob"] = video["upload"].blob("video/mp4")
        low, high = FEED_SIZE
        video["status"] = "PROCESSING"
        if not low <= video["size"] <= high:
            video["reason"] = "Video size must be between 75 KB and 500 MB"
    return Response(200)


@service.route("GET", REST + r"/videos/(?P<urn>urn:li:video:[^/]+)", "linkedin.video")
def get_video(req: Request) -> Response:
    token, ver = rest(req, "videos.GET", READ_SCOPES | WRITE_SCOPES)
    urn = req.params["urn"]
    video = videos().get(urn)
    if video is None:
        raise error(404, f"Video {urn} not found", "NOT_FOUND")
    administered(token, video["owner"], "videos.GET", ver)  # the organisation's admins only
    if video["status"] == "PROCESSING":
        if video["polls_left"] > 0:
            video["polls_left"] -= 1
        else:
            video["status"] = "PROCESSING_FAILED" if video["reason"] else "AVAILABLE"
    body = {"id": urn, "owner": video["owner"], "status": video["status"]}
    if video["status"] == "PROCESSING_FAILED":
        body["processingFailureReason"] = video["reason"]
    return json_response(body)


def available_video(urn: str, author: str) -> Blob:
    """The video a post may use (owned by the author, AVAILABLE); else a 400."""
    video = videos().get(urn)
    if video is None:
        raise error(400, f"Media {urn} does not exist", "INVALID_URN_ID")
    if video["owner"] != author:
        raise illegal(f"Media {urn} is not owned by {author}")
    if video["status"] != "AVAILABLE":
        code = (
            "MEDIA_ASSET_PROCESSING_FAILED"
            if video["status"] == "PROCESSING_FAILED"
            else "MEDIA_ASSET_WAITING_UPLOAD"
        )
        raise error(400, f"Media {urn} is not available: {video['status']}", code)
    return video["blob"]
