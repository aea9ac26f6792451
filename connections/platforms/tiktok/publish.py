"""Direct posting of a video to TikTok (Content Posting API, FILE_UPLOAD).

https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide

Every new post starts with creator_info/query (step 1 of Direct Post): whether the creator
may post now, who may watch and which interactions the creator allows. A publish id whose
upload never finished (a failed chunk, an upload_url past its hour) is abandoned for a new
one; a finished upload is only ever waited on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...errors import Permanent, Retryable
from ..base import Checkpoint, MediaItem, Published, PublishRequest
from ..waiting import wait_until
from .composer import PRIVACY
from .creator import INTERACTIONS, CreatorInfo

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import TikTokConnector

MAX_SINGLE = 64 * 1024 * 1024
CHUNK = 10 * 1024 * 1024


def chunk_plan(size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) per TikTok's rules: files under 64 MB go whole, larger
    ones in 10 MB chunks with the remainder folded into the last."""
    if size <= MAX_SINGLE:
        return size, 1
    return CHUNK, size // CHUNK


def _upload(tiktok: TikTokConnector, upload_url: str, item: MediaItem) -> None:
    chunk_size, count = chunk_plan(item.size)
    with item.open() as stream:
        first = 0
        for index in range(count):
            length = chunk_size if index < count - 1 else item.size - first
            data = stream.read(length)
            tiktok.upload_chunk(upload_url, data, first, item.size, item.content_type)
            first += len(data)


def _status(tiktok: TikTokConnector, account: ConnectedAccount, publish_id: str) -> dict:
    return (
        tiktok.api(
            "POST",
            "/v2/post/publish/status/fetch/",
            account.access_token,
            json={"publish_id": publish_id},
        ).get("data")
        or {}
    )


def _upload_unfinished(data: dict, video: MediaItem) -> bool:
    """Whether TikTok is still waiting for bytes that will never come: status/fetch reports
    PROCESSING_UPLOAD with `uploaded_bytes` short of the file."""
    uploaded = data.get("uploaded_bytes")
    return data.get("status") == "PROCESSING_UPLOAD" and (
        isinstance(uploaded, int) and uploaded < video.size
    )


def _outcome(data: dict, account: ConnectedAccount, publish_id: str) -> Published | None:
    status = data.get("status")
    if status == "FAILED":
        raise Permanent(
            f"TikTok could not publish the video: {data.get('fail_reason')}.", platform="tiktok"
        )
    if status == "PUBLISH_COMPLETE":
        # Public posts get their id after moderation; until then the publish id stands in.
        ids = data.get("publicaly_available_post_id") or []
        if ids:
            handle = account.handle.lstrip("@")
            return Published(str(ids[0]), f"https://www.tiktok.com/@{handle}/video/{ids[0]}")
        return Published(publish_id)
    return None


def post_info(request: PublishRequest, info: CreatorInfo) -> dict[str, Any]:
    """The post's settings as the creator allows them now. No audience is assumed: one the
    creator does not offer (any more) stops the post."""
    level = request.options.get("privacy_level")
    if level not in info.privacy_options:
        chosen = PRIVACY.get(level, level) if level else "none"
        offered = ", ".join(PRIVACY.get(o, o) for o in info.privacy_options)
        raise Permanent(
            f"TikTok does not offer this account the audience chosen ({chosen}); it offers: "
            f"{offered}. Edit the post and choose who can watch.",
            platform="tiktok",
        )
    settings = {"title": request.text, "privacy_level": level}
    for name in INTERACTIONS:
        allowed = bool(request.options.get(f"allow_{name}")) and name not in info.disabled
        settings[f"disable_{name}"] = not allowed
    return settings


def _start(
    tiktok: TikTokConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: Checkpoint,
    video: MediaItem,
) -> str:
    """creator_info, then init and the upload; the publish id once TikTok has every byte."""
    info = CreatorInfo.from_data(tiktok.creator_info(account))
    if info.max_duration and video.duration and video.duration > info.max_duration:
        # creator_info's max_video_post_duration_sec may have changed since scheduling.
        raise Permanent(
            f"This TikTok account now posts videos up to {info.max_duration} seconds; "
            f"this one is {round(video.duration)}.",
            platform="tiktok",
        )
    chunk_size, count = chunk_plan(video.size)
    body = tiktok.api(
        "POST",
        "/v2/post/publish/video/init/",
        account.access_token,
        json={
            "post_info": post_info(request, info),
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": video.size,
                "chunk_size": chunk_size,
                "total_chunk_count": count,
            },
        },
    )
    data = body.get("data") or {}
    publish_id = data["publish_id"]
    checkpoint.save(publish_id=publish_id, uploaded=False)
    _upload(tiktok, data["upload_url"], video)
    checkpoint.save(uploaded=True)
    return publish_id


def publish(
    tiktok: TikTokConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: Checkpoint,
) -> Published:
    video = next(m for m in request.media if m.kind == "video")
    publish_id = checkpoint.data.get("publish_id")
    if publish_id and not checkpoint.data.get("uploaded", True):
        # An earlier attempt stopped during the upload: TikTok has it all, or never will.
        if _upload_unfinished(_status(tiktok, account, publish_id), video):
            publish_id = None
        else:
            checkpoint.save(uploaded=True)
    if not publish_id:
        publish_id = _start(tiktok, account, request, checkpoint, video)
    try:
        return wait_until(
            lambda: _outcome(_status(tiktok, account, publish_id), account, publish_id),
            what="TikTok's processing",
            platform="tiktok",
        )
    except Permanent:
        checkpoint.save(publish_id=None)  # TikTok failed it: a retry starts a new post
        raise


def find_published(
    tiktok: TikTokConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    publish_id = checkpoint.get("publish_id")
    if not publish_id:
        return None  # nothing was accepted: init never answered with an id
    data = _status(tiktok, account, publish_id)
    video = next(m for m in request.media if m.kind == "video")
    if not checkpoint.get("uploaded", True) and _upload_unfinished(data, video):
        return None  # the upload broke off: nothing will be posted from this publish id
    try:
        found = _outcome(data, account, publish_id)
    except Permanent:
        return None  # TikTok failed it: publishing again is safe
    if found is None and data.get("status") != "FAILED":
        raise Retryable("TikTok is still processing the earlier upload.", platform="tiktok")
    return found
