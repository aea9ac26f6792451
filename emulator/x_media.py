"""X: media upload v2 (platform-apis.md §4.3). Chunked: initialize → append (segments in order)
→ finalize, then STATUS while videos and GIFs process; images may also go in one request.

Videos and GIFs answer `in_progress` to `media_processing_polls` STATUS calls, then `succeeded`
(or `failed` with `media_processing_error`); only ready media can be attached to a post.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from emulator import x
from emulator.media import Blob, Upload
from emulator.server import Request, Response, json_response
from emulator.state import STATE, Token
from emulator.x import API, bad_request

MB = 1024 * 1024
EXPIRES_AFTER = 86400
MAX_SEGMENT = 8 * MB
MAX_SEGMENTS = 1000
# media_category -> (kind, size limit in bytes)
CATEGORIES = {
    "tweet_image": ("image", 5 * MB),
    "dm_image": ("image", 5 * MB),
    "tweet_gif": ("gif", 15 * MB),
    "dm_gif": ("gif", 15 * MB),
    "tweet_video": ("video", 8 * 1024 * MB),
    "amplify_video": ("video", 8 * 1024 * MB),
    "dm_video": ("video", 512 * MB),
    "subtitles": ("subtitles", MB),
}
MEDIA_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/bmp",
    "image/gif",
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
)
_KEY_PREFIX = {"image": "3", "gif": "16", "video": "7", "subtitles": "3"}

service = x.XService()


@dataclass
class Media:
    id: str
    owners: list[str]
    kind: str  # image, gif, video or subtitles
    media_type: str
    upload: Upload
    created_at: float
    finalized: bool = False
    segments: int = 0  # appended so far
    polls_left: int = 0
    error: str | None = None

    @property
    def media_key(self) -> str:
        return f"{_KEY_PREFIX[self.kind]}_{self.id}"

    @property
    def blob(self) -> Blob:
        return self.upload.blob(self.media_type)

    @property
    def processed(self) -> bool:
        """Whether it goes through asynchronous processing after finalize."""
        return self.kind in ("gif", "video")

    def state(self) -> str | None:
        """The processing_info state; None for media that needs no processing."""
        if not self.processed:
            return None
        if self.polls_left > 0:
            return "in_progress"
        return "failed" if self.error else "succeeded"

    def data(self, state: str | None) -> dict:
        body: dict = {
            "id": self.id,
            "media_key": self.media_key,
            "size": self.upload.received,
            "expires_after_secs": max(0, int(self.created_at + EXPIRES_AFTER - STATE.now())),
        }
        if state is None:
            return body
        info: dict = {"state": state}
        if state in ("pending", "in_progress"):
            info["check_after_secs"] = 1
        if state != "pending":
            info["progress_percent"] = 50 if state == "in_progress" else 100
        if state == "failed":
            info["error"] = {"code": 1, "name": "InvalidMedia", "message": self.error}
        return {**body, "processing_info": info}


def attachable(media_id: str, user_id: str) -> Media | None:
    """The media if this user may attach it to a post now (uploaded, processed, not expired)."""
    item = STATE.table("x_media").get(media_id)
    if item is None or user_id not in item.owners or not item.finalized:
        return None
    if item.created_at + EXPIRES_AFTER <= STATE.now() or item.kind == "subtitles":
        return None
    return item if item.state() in (None, "succeeded") else None


def _authenticate(req: Request) -> Token:
    token = x.authenticate(req)
    x.require_scopes(token, "media.write")
    return token


def _category(media_type: str, category: str | None) -> tuple[str, str, int]:
    """(media_category, kind, size limit); 400 for an unknown media type or category."""
    if media_type not in MEDIA_TYPES:
        raise bad_request(f"media_type must be one of {', '.join(MEDIA_TYPES)}.")
    if category is None:
        kind = media_type.split("/")[0]
        category = "tweet_gif" if media_type == "image/gif" else f"tweet_{kind}"
    if category not in CATEGORIES:
        raise bad_request(f"media_category must be one of {', '.join(CATEGORIES)}.")
    return category, *CATEGORIES[category]


def _create(token: Token, media_type: str, category: str | None, size: int, owners: list) -> Media:
    category, kind, limit = _category(media_type, category)
    if size < 1 or size > limit:
        raise bad_request(f"total_bytes must be between 1 and {limit} for {category}.")
    if not all(isinstance(owner, str) for owner in owners):
        raise bad_request("additional_owners must be a list of user id strings.")
    item = Media(
        STATE.next_id("x_media"),
        [token.user_id, *owners],
        kind,
        media_type,
        Upload(size),
        STATE.now(),
    )
    STATE.table("x_media")[item.id] = item
    return item


def _finalize(item: Media) -> Response:
    if item.finalized:
        return json_response({"data": item.data(item.state())})
    if not item.upload.complete:
        detail = f"{item.upload.received} of {item.upload.total} bytes were uploaded."
        raise bad_request(f"The upload is incomplete: {detail}")
    item.finalized = True
    if item.processed:
        item.polls_left = int(STATE.knob("x", "media_processing_polls"))
        item.error = STATE.knob("x", "media_processing_error")
        return json_response({"data": item.data("pending")})
    return json_response({"data": item.data(None)})


def _owned(token: Token, media_id: str) -> Media:
    item = STATE.table("x_media").get(media_id)
    if item is None or token.user_id not in item.owners:
        raise bad_request(f"Invalid media id {media_id}.")
    return item


@service.route("POST", API + "/media/upload/initialize", "x.media_upload")
def initialize(req: Request) -> Response:
    token = _authenticate(req)
    body = req.json if isinstance(req.json, dict) else {}
    size = body.get("total_bytes")
    if not isinstance(body.get("media_type"), str) or not isinstance(size, int):
        raise bad_request("media_type (string) and total_bytes (integer) are required.")
    category = body.get("media_category")
    item = _create(token, body["media_type"], category, size, body.get("additional_owners", []))
    data = {"id": item.id, "media_key": item.media_key, "expires_after_secs": EXPIRES_AFTER}
    return json_response({"data": data})


def _segment(req: Request) -> tuple[int, bytes]:
    """(segment_index, the bytes) from a multipart or a JSON (base64 `media`) body."""
    if isinstance(req.json, dict):
        index, encoded = req.json.get("segment_index"), req.json.get("media")
        try:
            return int(index), base64.b64decode(encoded or "", validate=True)
        except (TypeError, ValueError, binascii.Error):
            raise bad_request("segment_index and base64 media are required.") from None
    if "media" not in req.files or not req.form.get("segment_index", "").isdigit():
        raise bad_request("segment_index and a media part are required.")
    return int(req.form["segment_index"]), req.files["media"].data


@service.route("POST", API + r"/media/upload/(?P<id>\d+)/append", "x.media_upload")
def append(req: Request) -> Response:
    """Segments arrive in order (the emulator keeps a running hash, not the bytes); sending the
    latest segment again is a harmless retry."""
    token = _authenticate(req)
    item = _owned(token, req.params["id"])
    index, data = _segment(req)
    if item.finalized:
        raise bad_request("The upload was already finalized.")
    if len(data) > MAX_SEGMENT or not 0 <= index < MAX_SEGMENTS:
        raise bad_request(f"segment_index must be 0-{MAX_SEGMENTS - 1} and a segment at most 8 MB.")
    upload = item.upload
    offset = upload.received - len(data)
    retry = index == item.segments - 1 and upload.repeats_last(offset, data)
    if not retry:
        if index != item.segments:
            raise bad_request(f"segment_index {index} is out of order; expected {item.segments}.")
        if upload.received + len(data) > upload.total:
            raise bad_request(f"The segments exceed total_bytes ({upload.total}).")
        upload.add(data)
        item.segments += 1
    return json_response({"data": {"expires_at": int(item.created_at + EXPIRES_AFTER)}})


@service.route("POST", API + r"/media/upload/(?P<id>\d+)/finalize", "x.media_upload")
def finalize(req: Request) -> Response:
    token = _authenticate(req)
    return _finalize(_owned(token, req.params["id"]))


@service.route("POST", API + "/media/upload", "x.media_upload")
def simple_upload(req: Request) -> Response:
    """One request for an image or GIF: multipart `media`, `media_category`[, `media_type`]."""
    token = _authenticate(req)
    if "command" in req.form or "command" in req.query:
        raise bad_request(
            "command=INIT/APPEND/FINALIZE is retired: use /2/media/upload/initialize, "
            "/2/media/upload/{id}/append and /2/media/upload/{id}/finalize."
        )
    if "media" not in req.files:
        raise bad_request("A media part is required.")
    part = req.files["media"]
    category = req.form.get("media_category") or None
    media_type = req.form.get("media_type") or part.content_type
    if _category(media_type, category)[1] not in ("image", "gif"):
        raise bad_request("Upload videos with initialize, append and finalize.")
    owners = [o for o in req.form.get("additional_owners", "").split(",") if o]
    item = _create(token, media_type, category, len(part.data), owners)
    item.upload.add(part.data)
    item.segments = 1
    return _finalize(item)


@service.route("GET", API + "/media/upload", "x.media_upload")
def status(req: Request) -> Response:
    token = _authenticate(req)
    if req.query.get("command") != "STATUS" or not req.query.get("media_id"):
        raise bad_request("GET /2/media/upload needs command=STATUS and a media_id.")
    item = _owned(token, req.query["media_id"])
    if not item.finalized:
        raise bad_request("The upload is not finalized yet.")
    state = item.state()
    if state == "in_progress":
        item.polls_left -= 1
    return json_response({"data": item.data(state)})
