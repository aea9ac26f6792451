"""Publishing as a LinkedIn organisation: images (Images API) or a video (Videos API), then
one post.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api

Each file is uploaded and recorded in the checkpoint once LinkedIn took all its bytes; the post
is created only when every file is AVAILABLE ("If the post is created before confirming image
upload success and the image upload fails to process, the post won't be visible")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ...errors import Permanent
from ..base import Checkpoint, MediaItem, Published, PublishRequest
from ..waiting import wait_until
from . import endpoints
from .text import escape

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import LinkedInConnector

FIND_COUNT = 20  # the newest posts searched when reconciling
CLOCK_SLACK = timedelta(minutes=5)  # LinkedIn's clock against ours


def permalink(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _author(account: ConnectedAccount) -> str:
    return f"urn:li:organization:{account.external_id}"


def _upload_image(client: LinkedInConnector, account: ConnectedAccount, item: MediaItem) -> str:
    token = account.access_token
    init = client.rest_json(
        "POST",
        "/images",
        token,
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": {"owner": _author(account)}},
    )["value"]
    with item.open() as stream:
        client.upload(init["uploadUrl"], token, stream.read(), item.content_type)
    return str(init["image"])


def _upload_video(client: LinkedInConnector, account: ConnectedAccount, item: MediaItem) -> str:
    request = {
        "owner": _author(account),
        "fileSizeBytes": item.size,
        "uploadCaptions": False,
        "uploadThumbnail": False,
    }
    init = client.rest_json(
        "POST",
        "/videos",
        account.access_token,
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": request},
    )["value"]
    etags = []
    with item.open() as stream:
        # One PUT per instruction, its byte range exactly; the ETags go back in this order.
        for part in sorted(init["uploadInstructions"], key=lambda p: p["firstByte"]):
            stream.seek(part["firstByte"])
            data = stream.read(part["lastByte"] - part["firstByte"] + 1)
            etags.append(client.upload_part(part["uploadUrl"], data))
    finalize = {
        "video": init["video"],
        "uploadToken": init.get("uploadToken", ""),
        "uploadedPartIds": etags,
    }
    client.rest(
        "POST",
        "/videos",
        account.access_token,
        params={"action": "finalizeUpload"},
        json={"finalizeUploadRequest": finalize},
    )
    return str(init["video"])


def _wait_available(client: LinkedInConnector, account: ConnectedAccount, urn: str) -> None:
    kind = "videos" if urn.startswith("urn:li:video:") else "images"

    def available() -> str | None:
        path = f"/{kind}/{endpoints.key(urn)}"
        media = client.rest_json("GET", path, account.access_token)
        status = media.get("status")
        if status == "PROCESSING_FAILED":
            reason = media.get("processingFailureReason") or "too large, or not a supported format"
            raise Permanent(f"LinkedIn could not process the file: {reason}.", platform="linkedin")
        return "ok" if status == "AVAILABLE" else None

    wait_until(available, what="LinkedIn's media processing", platform="linkedin")


def post_body(author: str, text: str, media: list[str]) -> dict:
    """A public feed post by the organisation (posts-api: author, commentary, visibility,
    distribution and lifecycleState are required; PUBLISHED is the only state on create)."""
    body: dict = {
        "author": author,
        "commentary": escape(text),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if media:
        body["content"] = (
            {"media": {"id": media[0]}}
            if len(media) == 1
            else {"multiImage": {"images": [{"id": urn} for urn in media]}}
        )
    return body


def publish(
    client: LinkedInConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: Checkpoint,
) -> Published:
    media = list(checkpoint.data.get("media", []))
    for item in request.media[len(media) :]:
        upload = _upload_video if item.kind == "video" else _upload_image
        media.append(upload(client, account, item))
        checkpoint.save(media=media)
    for urn in media:
        _wait_available(client, account, urn)
    body = post_body(_author(account), request.text, media)
    response = client.rest("POST", "/posts", account.access_token, json=body)
    urn = response.headers.get("x-restli-id", "")
    if not urn:
        raise Permanent("LinkedIn did not say which post it created.", platform="linkedin")
    checkpoint.save(post_id=urn)
    return Published(urn, permalink(urn))


def _media_ids(post: dict) -> list[str]:
    content = post.get("content") or {}
    if "media" in content:
        return [str(content["media"].get("id"))]
    return [str(i.get("id")) for i in (content.get("multiImage") or {}).get("images", [])]


def find_published(
    client: LinkedInConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    """The post an attempt with an unknown outcome created: the checkpoint's, else one of the
    organisation's newest posts with this text and these files, made since the attempt."""
    if checkpoint.get("post_id"):
        return Published(checkpoint["post_id"], permalink(checkpoint["post_id"]))
    media = list(checkpoint.get("media", []))
    if len(media) < len(request.media):
        return None  # the post is only created once every file is uploaded
    body = client.rest_json(
        "GET",
        "/posts",
        account.access_token,
        params={
            "q": "author",
            "author": _author(account),
            "count": FIND_COUNT,
            "sortBy": "CREATED",
        },
    )
    commentary = escape(request.text)
    after = (since - CLOCK_SLACK).timestamp() * 1000
    for post in body.get("elements") or []:
        urn = str(post.get("id") or "")
        if urn in request.known_ids or (post.get("createdAt") or 0) < after:
            continue
        if post.get("commentary", "") == commentary and _media_ids(post) == media:
            return Published(urn, permalink(urn))
    return None
