"""TikTok: Content Posting API direct posts (video and photo) and the Display API's video list
(platform-apis.md §5.3, §5.4).

A video is uploaded to the emulator's `upload_url` in chunks (FILE_UPLOAD) or downloaded from
`video_url` (PULL_FROM_URL). Once TikTok has the media, the post exists (`/_control/posts`, the
video list); status/fetch answers PROCESSING_UPLOAD (FILE_UPLOAD) or PROCESSING_DOWNLOAD
(PULL_FROM_URL) to `status_polls` polls, then PUBLISH_COMPLETE (or FAILED with `fail_reason`).
"""

from __future__ import annotations

import re
import secrets
import struct
from dataclasses import dataclass, field

from emulator import media, tiktok
from emulator.media import Blob, Upload
from emulator.posts import Post
from emulator.server import Abort, Request, Response, Service
from emulator.state import STATE, Token
from emulator.tiktok import API, creator, envelope, posting_refusal
from emulator.tiktok_metrics import video_counts

UPLOAD_PATH = "/tiktok-upload/video/"
MIB = 1024 * 1024
CHUNK_RANGE = (5 * MIB, 64 * MIB)  # every chunk but the last
LAST_CHUNK_MAX = 128 * MIB
MAX_CHUNKS = 1000
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
TITLE_LIMIT = 2200  # UTF-16 code units
PHOTO_LIMITS = {"title": 90, "description": 4000, "photos": 35}
LIST_MAX = 20
UPLOAD_URL_TTL = 3600  # "The upload_url is valid for one hour after issuance" (direct post)
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)

service = Service("tiktok", tiktok.render_fault)


@dataclass
class Publish:
    id: str
    user_id: str
    kind: str  # "video" or "photo"
    source: str  # FILE_UPLOAD or PULL_FROM_URL
    post_mode: str  # DIRECT_POST or MEDIA_UPLOAD
    post_info: dict
    fail_reason: str | None  # decided at init (the knob), or a failed download
    upload: Upload | None = None  # FILE_UPLOAD
    chunk_size: int = 0
    chunk_count: int = 0
    upload_token: str = ""
    upload_expires_at: float = 0.0
    duration: float | None = None  # seconds, from the uploaded MP4's movie header
    next_box: int = 0  # where the next top-level MP4 box starts (-1: stop looking)
    blobs: list[Blob] = field(default_factory=list)
    processing: bool = False  # TikTok has all the media
    polls_left: int = 0
    video_id: str | None = None


def _invalid(message: str, code: str = "invalid_params", status: int = 400) -> Abort:
    return Abort(envelope({}, status, code, message))


def _authenticate(req: Request, scope: str) -> Token:
    token = tiktok.authenticate(req)
    if scope not in token.scopes:
        message = f"The user did not authorize the scope required for this request: {scope}."
        raise _invalid(message, "scope_not_authorized", 401)
    return token


def _body(req: Request) -> dict:
    if not isinstance(req.json, dict):
        raise _invalid("The request body must be a JSON object.")
    return req.json


def _section(body: dict, name: str) -> dict:
    value = body.get(name)
    if not isinstance(value, dict):
        raise _invalid(f"{name} is required.")
    return value


def _check_direct_post(token: Token, post_info: dict) -> None:
    """What stops a Direct Post at init: all HTTP 403 in the direct-post error table
    (developers.tiktok.com/doc/content-posting-api-reference-direct-post)."""
    if refusal := posting_refusal(token.user_id):
        raise _invalid(refusal[1], refusal[0], 403)
    # privacy_level must be one of creator_info's privacy_level_options.
    if post_info.get("privacy_level") not in creator(token.user_id)["privacy_level_options"]:
        message = "privacy_level must be one of the creator's privacy_level_options."
        raise _invalid(message, "privacy_level_option_mismatch", 403)


def _read_duration(job: Publish, first: int, data: bytes) -> None:
    """Follow the MP4's top-level boxes as the chunks arrive (ISO/IEC 14496-12 §4.2: a 32-bit
    size and a type; size 1: a 64-bit size follows) to 'moov', whose movie header 'mvhd'
    (§8.2.2) holds the timescale and duration. A box header split across chunks, or anything
    that is not an MP4, leaves the duration unknown."""
    try:
        while first <= job.next_box and job.next_box + 16 <= first + len(data):
            at = job.next_box - first
            size, kind = struct.unpack_from(">I4s", data, at)
            header = 8
            if size == 1:
                size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
            if kind == b"moov":
                job.duration = _movie_seconds(data[at + header :])
                size = 0  # done
            if size < header:
                job.next_box = -1
                return
            job.next_box += size
    except struct.error:
        job.next_box = -1


def _movie_seconds(moov: bytes) -> float | None:
    """Seconds from the 'mvhd' box at the start of a 'moov' box's contents."""
    if moov[4:8] != b"mvhd" or len(moov) < 40:
        return None
    if moov[8] == 1:  # version 1: 64-bit times and duration
        scale, length = struct.unpack_from(">IQ", moov, 28)
    else:
        scale, length = struct.unpack_from(">II", moov, 20)
    return length / scale if scale else None


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _download(req: Request, urls: list[str]) -> list[Blob] | None:
    """The media behind urls (fetched by the emulator), or None if one could not be fetched."""
    if not urls or not all(isinstance(u, str) and u for u in urls):
        raise _invalid("The media URLs are required.")
    timeout = float(STATE.knob("tiktok", "media_fetch_timeout"))
    results = media.fetched(req, urls, timeout)
    if any(result.blob is None for result in results):
        return None
    return [result.blob for result in results]


def _chunk_plan(source_info: dict) -> tuple[int, int, int]:
    """(video_size, chunk_size, total_chunk_count) after TikTok's chunk rules."""
    sizes = [source_info.get(name) for name in ("video_size", "chunk_size", "total_chunk_count")]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise _invalid("video_size, chunk_size and total_chunk_count must be positive integers.")
    size, chunk, count = sizes
    low, high = CHUNK_RANGE
    if size < low and chunk != size:
        raise _invalid("A video under 5 MB must be sent whole: chunk_size = video_size.")
    if size >= low and not low <= chunk <= min(high, size):
        raise _invalid("chunk_size must be between 5 MB and 64 MB (and at most video_size).")
    if count != size // chunk or not 1 <= count <= MAX_CHUNKS:
        raise _invalid("total_chunk_count must be floor(video_size / chunk_size), 1 to 1000.")
    if size - (count - 1) * chunk > LAST_CHUNK_MAX:
        raise _invalid("The last chunk would exceed 128 MB.")
    return size, chunk, count


def _new_publish(token: Token, kind: str, source: str, post_mode: str, post_info: dict) -> Publish:
    job = Publish(
        STATE.next_id("tiktok_publish"),
        token.user_id,
        kind,
        source,
        post_mode,
        post_info,
        STATE.knob("tiktok", "fail_reason"),
    )
    STATE.table("tiktok_publish")[job.id] = job
    return job


def _publish_id(job: Publish) -> str:
    """The id TikTok hands out: its kind of post and source, then a number."""
    if job.kind == "photo":
        prefix = "p_pub_url"
    else:
        prefix = "v_pub_file" if job.source == "FILE_UPLOAD" else "v_pub_url"
    return f"{prefix}~v2-1.{job.id}"


def _media_in(job: Publish, blobs: list[Blob] | None) -> None:
    """TikTok has the media (or failed to download it): processing starts, and a direct post
    that will succeed exists from now on."""
    job.processing, job.polls_left = True, int(STATE.knob("tiktok", "status_polls"))
    if blobs is None:
        job.fail_reason = f"{job.kind}_pull_failed"
        return
    job.blobs = blobs
    # duration_check_failed: longer than creator_info's max_video_post_duration_sec (fail_reason
    # table, developers.tiktok.com/doc/content-posting-api-reference-get-video-status).
    if job.duration and job.duration > creator(job.user_id)["max_video_post_duration_sec"]:
        job.fail_reason = job.fail_reason or "duration_check_failed"
    if job.fail_reason or job.post_mode != "DIRECT_POST":
        return
    user = STATE.user("tiktok", job.user_id)
    job.video_id = STATE.next_id("tiktok_video")
    info = job.post_info
    STATE.add_post(
        Post(
            platform="tiktok",
            network="tiktok",
            account_id=user.id,
            id=job.video_id,
            kind=job.kind,
            text=info.get("title") or "",
            created_at=STATE.now(),
            permalink=f"https://www.tiktok.com/@{user.handle}/{job.kind}/{job.video_id}",
            media=blobs,
            details={
                "publish_id": _publish_id(job),
                "privacy_level": info["privacy_level"],
                "description": info.get("description"),
                **{k: v for k, v in info.items() if k.startswith("disable_")},
            },
        )
    )


@service.route("POST", API + "/post/publish/video/init/", "tiktok.video_init")
def video_init(req: Request) -> Response:
    token = _authenticate(req, "video.publish")
    body = _body(req)
    post_info, source_info = _section(body, "post_info"), _section(body, "source_info")
    _check_direct_post(token, post_info)
    if not isinstance(post_info.get("title", ""), str):
        raise _invalid("post_info.title must be a string.")
    if _utf16_length(post_info.get("title", "")) > TITLE_LIMIT:
        raise _invalid(f"post_info.title is longer than {TITLE_LIMIT} UTF-16 code units.")
    source = source_info.get("source")
    if source == "PULL_FROM_URL":
        blobs = _download(req, [source_info.get("video_url")])
        job = _new_publish(token, "video", source, "DIRECT_POST", post_info)
        _media_in(job, blobs)
        return envelope({"publish_id": _publish_id(job)})
    if source != "FILE_UPLOAD":
        raise _invalid("source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
    size, chunk, count = _chunk_plan(source_info)
    job = _new_publish(token, "video", source, "DIRECT_POST", post_info)
    job.upload, job.chunk_size, job.chunk_count = Upload(size), chunk, count
    job.upload_token = secrets.token_urlsafe(24)
    job.upload_expires_at = STATE.now() + UPLOAD_URL_TTL
    upload_url = f"{req.base_url}{UPLOAD_PATH}?upload_id={job.id}&upload_token={job.upload_token}"
    return envelope({"publish_id": _publish_id(job), "upload_url": upload_url})


def _expected_length(job: Publish, offset: int) -> int:
    index = offset // job.chunk_size
    if index < job.chunk_count - 1:
        return job.chunk_size
    return job.upload.total - offset


@service.route("PUT", UPLOAD_PATH, "tiktok.upload")
def upload_chunk(req: Request) -> Response:
    """One chunk: 206 while more are due, 201 once the whole video is in."""
    job = STATE.table("tiktok_publish").get(req.query.get("upload_id", ""))
    if job is None or job.upload is None or req.query.get("upload_token") != job.upload_token:
        raise _invalid("The upload URL is invalid or has expired.", status=404)
    # 403: the upload_url expired (media transfer guide's PUT responses).
    if STATE.now() > job.upload_expires_at:
        raise _invalid("The upload URL has expired.", status=403)
    upload, data = job.upload, req.body
    content_type = req.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in VIDEO_TYPES:
        raise _invalid(f"Content-Type must be one of {', '.join(VIDEO_TYPES)}.")
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", req.headers.get("content-range", "").strip())
    if match is None:
        raise _invalid("Content-Range must be 'bytes {first}-{last}/{total}'.")
    first, last, total = (int(group) for group in match.groups())
    if total != upload.total or last - first + 1 != len(data):
        raise _invalid("Content-Range does not match video_size or the chunk's length.")
    if upload.repeats_last(first, data):  # the same chunk again: a retry after a timeout
        return Response(201 if upload.complete else 206)
    if first != upload.received or upload.complete:
        raise _invalid(
            f"Chunks go in order: the next starts at byte {upload.received}.", status=416
        )
    if len(data) != (expected := _expected_length(job, first)):
        raise _invalid(
            f"The chunk at byte {first} must be {expected} bytes.", "invalid_file_upload"
        )
    _read_duration(job, first, data)
    upload.add(data)
    if not upload.complete:
        return Response(206)
    _media_in(job, [upload.blob(content_type)])
    return Response(201)


@service.route("POST", API + "/post/publish/content/init/", "tiktok.content_init")
def content_init(req: Request) -> Response:
    """A photo post: photos pulled from URLs, posted directly or sent to the inbox."""
    body = _body(req)
    post_mode = body.get("post_mode")
    if post_mode not in ("DIRECT_POST", "MEDIA_UPLOAD"):
        raise _invalid("post_mode must be DIRECT_POST or MEDIA_UPLOAD.")
    token = _authenticate(req, "video.publish" if post_mode == "DIRECT_POST" else "video.upload")
    if body.get("media_type") != "PHOTO":
        raise _invalid("media_type must be PHOTO.")
    post_info, source_info = _section(body, "post_info"), _section(body, "source_info")
    if post_mode == "DIRECT_POST":
        _check_direct_post(token, post_info)
    for name in ("title", "description"):
        if _utf16_length(str(post_info.get(name) or "")) > PHOTO_LIMITS[name]:
            raise _invalid(f"post_info.{name} is longer than {PHOTO_LIMITS[name]} characters.")
    if source_info.get("source") != "PULL_FROM_URL":
        raise _invalid("Photos only come with source PULL_FROM_URL.")
    urls = source_info.get("photo_images")
    if not isinstance(urls, list) or not 1 <= len(urls) <= PHOTO_LIMITS["photos"]:
        raise _invalid(f"photo_images must list 1 to {PHOTO_LIMITS['photos']} URLs.")
    cover = source_info.get("photo_cover_index", 0)
    if not isinstance(cover, int) or not 0 <= cover < len(urls):
        raise _invalid("photo_cover_index must point into photo_images.")
    blobs = _download(req, urls)
    job = _new_publish(token, "photo", "PULL_FROM_URL", post_mode, post_info)
    _media_in(job, blobs)
    return envelope({"publish_id": _publish_id(job)})


def _outcome(job: Publish) -> dict:
    if job.fail_reason:
        return {"status": "FAILED", "fail_reason": job.fail_reason}
    if job.post_mode == "MEDIA_UPLOAD":
        return {"status": "SEND_TO_USER_INBOX"}
    return {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [int(job.video_id)]}


@service.route("POST", API + "/post/publish/status/fetch/", "tiktok.status")
def status_fetch(req: Request) -> Response:
    token = tiktok.authenticate(req)
    if not {"video.publish", "video.upload"} & set(token.scopes):
        raise _invalid("The user did not authorize video.publish.", "scope_not_authorized", 401)
    publish_id = str(_body(req).get("publish_id") or "")
    job = STATE.table("tiktok_publish").get(publish_id.rpartition(".")[2])
    if job is None or job.user_id != token.user_id or _publish_id(job) != publish_id:
        raise _invalid("publish_id is invalid.")
    if job.upload:
        data: dict = {"uploaded_bytes": job.upload.received, "status": "PROCESSING_UPLOAD"}
    else:
        downloaded = sum(blob.size for blob in job.blobs)
        data = {"downloaded_bytes": downloaded, "status": "PROCESSING_DOWNLOAD"}
    data["publicaly_available_post_id"] = []
    if job.processing and job.polls_left > 0:
        job.polls_left -= 1
    elif job.processing:
        data.update(_outcome(job))
    return envelope(data)


@service.route("POST", API + "/video/list/", "tiktok.video_list")
def video_list(req: Request) -> Response:
    """The user's public videos, newest first; `cursor` is a create_time in milliseconds."""
    token = _authenticate(req, "video.list")
    fields = [f.strip() for f in (req.query.get("fields") or "").split(",") if f.strip()]
    if not fields or any(f not in VIDEO_FIELDS for f in fields):
        raise _invalid(f"fields must list some of {','.join(VIDEO_FIELDS)}.")
    body = req.json if isinstance(req.json, dict) else {}
    max_count, cursor = body.get("max_count", 10), body.get("cursor")
    if not isinstance(max_count, int) or not 1 <= max_count <= LIST_MAX:
        raise _invalid(f"max_count must be 1 to {LIST_MAX}.")
    if cursor is not None and not isinstance(cursor, int):
        raise _invalid("cursor must be a millisecond timestamp.")
    videos = [
        post
        for post in STATE.posts_of("tiktok", token.user_id)
        if post.kind == "video"
        and post.details["privacy_level"] == "PUBLIC_TO_EVERYONE"
        and (cursor is None or post.created_at * 1000 < cursor)
    ]
    page = videos[:max_count]
    full = [_video_json(req, post) for post in page]
    return envelope(
        {
            "videos": [{name: video[name] for name in fields} for video in full],
            "cursor": int(page[-1].created_at * 1000) if page else cursor or 0,
            "has_more": len(videos) > max_count,
        }
    )


def _video_json(req: Request, post: Post) -> dict:
    embed = f"https://www.tiktok.com/embed/v2/{post.id}"
    return {
        "id": post.id,
        "create_time": int(post.created_at),
        "cover_image_url": req.avatar_url(f"tiktok-{post.id}"),
        "share_url": post.permalink,
        "video_description": post.text,
        "duration": 15,
        "height": 1920,
        "width": 1080,
        "title": post.text,
        "embed_html": f'<blockquote class="tiktok-embed" cite="{post.permalink}"></blockquote>',
        "embed_link": embed,
        **video_counts(post),
    }
