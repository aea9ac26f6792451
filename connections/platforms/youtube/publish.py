"""Uploading a video to YouTube (videos.insert, resumable protocol).

https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...errors import Permanent
from ..base import Checkpoint, MediaItem, Published, PublishRequest

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import GoogleConnector

CHUNK = 32 * 256 * 1024  # 8 MiB: chunks must be multiples of 256 KiB


def _watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def _send_from(
    google: GoogleConnector, session: str, token: str, item: MediaItem, offset: int
) -> str:
    """Upload the bytes from `offset`; returns the new video's id."""
    with item.open() as stream:
        stream.seek(offset)
        while True:
            chunk = stream.read(CHUNK)
            last = offset + len(chunk) - 1
            done, answer = google.upload_chunk(
                session, token, chunk, offset, last, item.size, item.content_type
            )
            if done:
                return answer
            offset = int(answer) + 1


def _session_state(google: GoogleConnector, session: str, token: str, size: int) -> str | None:
    """The session's progress, or None when YouTube no longer knows it (expired: 404/410)."""
    try:
        return google.upload_state(session, token, size)
    except Permanent:
        return None


def publish(
    google: GoogleConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: Checkpoint,
) -> Published:
    video = next(m for m in request.media if m.kind == "video")
    session = checkpoint.data.get("session")
    offset = 0
    token = account.access_token
    state = _session_state(google, session, token, video.size) if session else None
    if state and state.startswith("id:"):
        return Published(state[3:], _watch_url(state[3:]))
    if state:
        offset = int(state)
    else:
        session = google.start_upload(
            account,
            {
                "snippet": {"title": request.options.get("title", ""), "description": request.text},
                "status": {
                    "privacyStatus": request.options.get("privacy", "public"),
                    "selfDeclaredMadeForKids": False,
                },
            },
            video,
        )
        checkpoint.save(session=session)
    video_id = _send_from(google, session, token, video, offset)
    return Published(video_id, _watch_url(video_id))


def find_published(
    google: GoogleConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    session = checkpoint.get("session")
    if not session:
        return None  # the session never started: nothing can be on YouTube
    video = next(m for m in request.media if m.kind == "video")
    state = _session_state(google, session, account.access_token, video.size) or ""
    if state.startswith("id:"):
        return Published(state[3:], _watch_url(state[3:]))
    return None  # incomplete: publishing resumes the same session
