"""Direct posting of a video to TikTok (Content Posting API, FILE_UPLOAD).

https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...errors import Permanent, Retryable
from ..base import Checkpoint, MediaItem, Published, PublishRequest
from ..waiting import wait_until

if TYPE_CHECKING:
    from ..models import ConnectedAccount
    from .tiktok import TikTokConnector

MIN_CHUNK = 5 * 1024 * 1024
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


def publish(
    tiktok: TikTokConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: Checkpoint,
) -> Published:
    video = next(m for m in request.media if m.kind == "video")
    publish_id = checkpoint.data.get("publish_id")
    if not publish_id:
        chunk_size, count = chunk_plan(video.size)
        body = tiktok.api(
            "POST",
            "/v2/post/publish/video/init/",
            account.access_token,
            json={
                "post_info": {
                    "title": request.text,
                    "privacy_level": request.options.get("privacy_level", "SELF_ONLY"),
                    "disable_comment": False,
                    "disable_duet": False,
                    "disable_stitch": False,
                },
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
        checkpoint.save(publish_id=publish_id)
        _upload(tiktok, data["upload_url"], video)
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
    try:
        found = _outcome(data, account, publish_id)
    except Permanent:
        return None  # TikTok failed it: publishing again is safe
    if found is None and data.get("status") != "FAILED":
        raise Retryable("TikTok is still processing the earlier upload.", platform="tiktok")
    return found
