"""Publishing to Facebook Pages and Instagram professional accounts (Graph API).

https://developers.facebook.com/docs/pages-api/posts
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.dateparse import parse_datetime

from ..errors import Permanent, PlatformError
from . import Platform
from .base import Checkpoint, Published, PublishRequest
from .polling import wait_until

if TYPE_CHECKING:
    from ..models import ConnectedAccount
    from .meta import MetaConnector


def _same_text(a: str, b: str) -> bool:
    """Equal after folding whitespace; an empty text matches nothing."""
    folded = " ".join((b or "").split())
    return bool(folded) and " ".join((a or "").split()) == folded


def _since(value: str, since: datetime | None) -> bool:
    created = parse_datetime(value.replace("+0000", "+00:00")) if value else None
    return since is None or created is None or created >= since


# --- Facebook -----------------------------------------------------------------------------


def publish_page(
    meta: MetaConnector, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
) -> Published:
    page, token = account.external_id, account.access_token
    images = [m for m in request.media if m.kind == "image"]
    videos = [m for m in request.media if m.kind == "video"]
    if videos:
        body = meta.graph_post(
            f"{page}/videos", token, file_url=videos[0].url, description=request.text
        )
        post_id = body["id"]
    elif len(images) == 1:
        body = meta.graph_post(f"{page}/photos", token, url=images[0].url, message=request.text)
        post_id = body.get("post_id") or body["id"]
    elif images:
        # Several photos: upload each unpublished (remembered, so a retry reuses them), then
        # one feed post that attaches them.
        photo_ids = list(checkpoint.data.get("photo_ids", []))
        for image in images[len(photo_ids) :]:
            photo_ids.append(
                meta.graph_post(f"{page}/photos", token, url=image.url, published="false")["id"]
            )
            checkpoint.save(photo_ids=photo_ids)
        attached = {
            f"attached_media[{i}]": f'{{"media_fbid":"{pid}"}}' for i, pid in enumerate(photo_ids)
        }
        post_id = meta.graph_post(f"{page}/feed", token, message=request.text, **attached)["id"]
    else:
        post_id = meta.graph_post(f"{page}/feed", token, message=request.text)["id"]
    checkpoint.save(post_id=post_id)  # it exists now, whatever happens next
    return Published(post_id, _permalink(meta, token, post_id, "permalink_url"))


def _permalink(meta: MetaConnector, token: str, object_id: str, field: str) -> str:
    """Best effort: the post exists whether or not its link can be read right now."""
    try:
        return meta.graph_get(object_id, token, fields=field).get(field, "")
    except PlatformError:
        return ""


def find_on_page(
    meta: MetaConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    if checkpoint.get("post_id"):
        post_id = checkpoint["post_id"]
        return Published(post_id, _permalink(meta, account.access_token, post_id, "permalink_url"))
    body = meta.graph_get(
        f"{account.external_id}/published_posts",
        account.access_token,
        fields="id,message,created_time,permalink_url",
        limit=25,
    )
    for post in body.get("data", []):
        if post["id"] in request.known_ids:
            continue
        if _same_text(post.get("message", ""), request.text) and _since(
            post.get("created_time", ""), since
        ):
            return Published(post["id"], post.get("permalink_url", ""))
    return None


# --- Instagram ----------------------------------------------------------------------------


def _container(meta: MetaConnector, ig: str, token: str, **params: str) -> str:
    return meta.graph_post(f"{ig}/media", token, **params)["id"]


def _wait_ready(meta: MetaConnector, token: str, container: str, checkpoint: Checkpoint) -> str:
    """FINISHED (ready to publish) or PUBLISHED (an earlier attempt already did)."""

    def status() -> str | None:
        body = meta.graph_get(container, token, fields="status_code,status")
        code = body.get("status_code")
        if code in ("ERROR", "EXPIRED"):
            checkpoint.save(container_id=None)  # dead: a retry builds a new one
            raise Permanent(
                f"Instagram could not process the media: {body.get('status') or code}.",
                platform="meta",
            )
        return code if code in ("FINISHED", "PUBLISHED") else None

    return wait_until(status, what="Instagram's media", platform="meta")


def publish_instagram(
    meta: MetaConnector, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
) -> Published:
    ig, token = account.external_id, account.access_token
    container = checkpoint.data.get("container_id")
    if not container:
        items = request.media
        if len(items) == 1:
            item = items[0]
            params = (
                {"media_type": "REELS", "video_url": item.url}
                if item.kind == "video"
                else {"image_url": item.url}
            )
            container = _container(meta, ig, token, caption=request.text, **params)
        else:
            children = []
            for item in items:
                params = (
                    {"media_type": "VIDEO", "video_url": item.url}
                    if item.kind == "video"
                    else {"image_url": item.url}
                )
                children.append(_container(meta, ig, token, is_carousel_item="true", **params))
            for child in children:
                _wait_ready(meta, token, child, checkpoint)
            container = _container(
                meta,
                ig,
                token,
                media_type="CAROUSEL",
                children=",".join(children),
                caption=request.text,
            )
        checkpoint.save(container_id=container)
    if _wait_ready(meta, token, container, checkpoint) == "PUBLISHED":
        # Never publish a container twice: find what the earlier attempt made.
        found = find_on_instagram(meta, account, request, checkpoint.data, since=None)
        if found is not None:
            return found
        raise Permanent("Instagram says this post is already published.", platform="meta")
    media_id = meta.graph_post(f"{ig}/media_publish", token, creation_id=container)["id"]
    checkpoint.save(media_id=media_id)
    return Published(media_id, _permalink(meta, token, media_id, "permalink"))


def find_on_instagram(
    meta: MetaConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime | None,
) -> Published | None:
    if checkpoint.get("media_id"):
        media_id = checkpoint["media_id"]
        return Published(media_id, _permalink(meta, account.access_token, media_id, "permalink"))
    body = meta.graph_get(
        f"{account.external_id}/media",
        account.access_token,
        fields="id,caption,permalink,timestamp",
        limit=25,
    )
    for media in body.get("data", []):
        if media["id"] in request.known_ids:
            continue
        if _same_text(media.get("caption", ""), request.text) and _since(
            media.get("timestamp", ""), since
        ):
            return Published(media["id"], media.get("permalink", ""))
    return None


def publish(
    meta: MetaConnector, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
) -> Published:
    if account.platform == Platform.INSTAGRAM:
        return publish_instagram(meta, account, request, checkpoint)
    return publish_page(meta, account, request, checkpoint)


def find_published(
    meta: MetaConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime,
) -> Published | None:
    if account.platform == Platform.INSTAGRAM:
        return find_on_instagram(meta, account, request, checkpoint, since)
    return find_on_page(meta, account, request, checkpoint, since)
