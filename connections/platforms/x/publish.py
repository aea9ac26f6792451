"""Publishing posts with media to X (API v2).

https://docs.x.com/x-api/posts/creation-of-a-post
https://docs.x.com/x-api/media/quickstart/media-upload-chunked"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.utils.dateparse import parse_datetime

from ...errors import Permanent
from ..base import Checkpoint, MediaItem, Published, PublishRequest
from ..waiting import wait_until

if TYPE_CHECKING:
    from ..models import ConnectedAccount
    from .x import XConnector

CHUNK = 4 * 1024 * 1024  # under the 5 MB recommended segment size
# A media id expires 24 h after FINALIZE (expires_after_secs 86400): reuse it only while fresh.
MEDIA_REUSE_SECONDS = 20 * 3600
# The timeline returns a user's 3,200 most recent posts at most: 32 pages of 100.
RECONCILE_PAGES = 32


def _upload_image(x: XConnector, token: str, item: MediaItem) -> str:
    with item.open() as stream:
        body = x.api(
            "POST",
            "/2/media/upload",
            token,
            files={"media": ("media", stream, item.content_type)},
            data={"media_category": "tweet_image"},
        )
    return str(body["data"]["id"])


def _initialize_video(x: XConnector, token: str, item: MediaItem) -> str:
    """Upload a video (initialize, append, finalize); its media id."""
    init = x.api(
        "POST",
        "/2/media/upload/initialize",
        token,
        json={
            "media_type": item.content_type,
            "total_bytes": item.size,
            "media_category": "tweet_video",
        },
    )
    media_id = str(init["data"]["id"])
    with item.open() as stream:
        index = 0
        while chunk := stream.read(CHUNK):
            x.api(
                "POST",
                f"/2/media/upload/{media_id}/append",
                token,
                files={"media": ("chunk", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
            index += 1
    x.api("POST", f"/2/media/upload/{media_id}/finalize", token)
    return media_id


def _wait_processed(x: XConnector, token: str, media_id: str) -> None:
    """Poll STATUS until the video is ready; X keeps polling (not re-uploading) across attempts
    (media-upload-chunked: no processing_info means ready)."""

    def processed() -> str | None:
        status = x.api(
            "GET", "/2/media/upload", token, params={"command": "STATUS", "media_id": media_id}
        )
        info = (status.get("data") or {}).get("processing_info") or {}
        if info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message", "processing failed")
            raise Permanent(f"X could not process the video: {reason}.", platform="x")
        return "ok" if info.get("state") in (None, "succeeded") else None

    wait_until(processed, what="X's video processing", platform="x")


def _upload_all(
    x: XConnector, token: str, request: PublishRequest, checkpoint: Checkpoint
) -> list[str]:
    """Each item's media id. A video's id is saved as soon as X has it, so an attempt that
    gives up while X still processes it polls the same id next time instead of uploading it
    again (a media id stays usable for a day after FINALIZE: expires_after_secs 86400)."""
    fresh = time.time() - checkpoint.data.get("media_uploaded_at", 0) < MEDIA_REUSE_SECONDS
    done = list(checkpoint.data.get("media_ids", [])) if fresh else []
    if not fresh:
        checkpoint.save(media_ids=[], media_uploaded_at=time.time())
    for item in request.media[len(done) :]:
        if item.kind == "video":
            media_id = _initialize_video(x, token, item)
            done.append(media_id)
            checkpoint.save(media_ids=done, processed=False)
        else:
            done.append(_upload_image(x, token, item))
            checkpoint.save(media_ids=done)
    if not checkpoint.data.get("processed", True):
        for item, media_id in zip(request.media, done, strict=True):
            if item.kind == "video":
                _wait_processed(x, token, media_id)
        checkpoint.save(processed=True)
    return done


def publish(
    x: XConnector, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
) -> Published:
    token = account.access_token
    media_ids = _upload_all(x, token, request, checkpoint) if request.media else []
    payload: dict = {"text": request.text}
    if media_ids:
        payload["media"] = {"media_ids": media_ids}
    body = x.api("POST", "/2/tweets", token, json=payload)
    post_id = str(body["data"]["id"])
    checkpoint.save(post_id=post_id)
    return Published(post_id, permalink(account, post_id))


def permalink(account: ConnectedAccount, post_id: str) -> str:
    handle = account.handle.lstrip("@") or "i"
    return f"https://x.com/{handle}/status/{post_id}"


def find_published(
    x: XConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    if checkpoint.get("post_id"):
        return Published(checkpoint["post_id"], permalink(account, checkpoint["post_id"]))
    wanted = " ".join(request.text.split())
    if not wanted:
        return None  # media-only posts are matched by the checkpoint alone
    # Every post since the first attempt could have landed, page by page, not only the newest
    # page: a busy account posts more than a page between an attempt and its retry
    # (GET /2/users/:id/tweets takes start_time and pages with pagination_token, 100 a page;
    # docs.x.com/x-api/users/get-posts).
    params = {
        "max_results": "100",
        "tweet.fields": "created_at,text",
        "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for _ in range(RECONCILE_PAGES):
        body = x.api(
            "GET", f"/2/users/{account.external_id}/tweets", account.access_token, params=params
        )
        for post in body.get("data") or []:
            if str(post["id"]) in request.known_ids:
                continue
            created = parse_datetime(post.get("created_at", "") or "")
            if " ".join(post.get("text", "").split()) == wanted and (
                created is None or created >= since
            ):
                return Published(str(post["id"]), permalink(account, str(post["id"])))
        if not (token := (body.get("meta") or {}).get("next_token")):
            return None
        params["pagination_token"] = token
    return None
