"""Deleting a video Mixora uploaded to YouTube (Data API videos.delete).

https://developers.google.com/youtube/v3/docs/videos/delete — DELETE /youtube/v3/videos?id=…
(scope youtube, youtube.force-ssl or youtubepartner; youtube.upload is not enough), 50 quota
units, 204 No Content; 403 `forbidden` when the video cannot be deleted by this account, 404
`videoNotFound` when YouTube does not have it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import Permanent

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import GoogleConnector


def delete_video(google: GoogleConnector, account: ConnectedAccount, video_id: str) -> None:
    try:
        google.api("DELETE", "/videos", account.access_token, params={"id": video_id})
    except Permanent as exc:
        if exc.status == 404:  # already gone from YouTube: what was asked for
            return
        raise
