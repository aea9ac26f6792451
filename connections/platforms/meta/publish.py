"""Publishing to Facebook Pages and Instagram professional accounts (Graph API).

https://developers.facebook.com/docs/pages-api/posts
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.dateparse import parse_datetime

from ...errors import Permanent, PlatformError
from .. import Platform
from ..base import Checkpoint, Published, PublishRequest
from ..waiting import wait_until

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


@dataclass(frozen=True)
class _Listing:
    """Where a network lists an account's recent posts, and what its fields are called."""

    checkpoint_key: str
    edge: str
    text: str
    created: str
    link: str


PAGE_POSTS = _Listing("post_id", "published_posts", "message", "created_time", "permalink_url")
INSTAGRAM_MEDIA = _Listing("media_id", "media", "caption", "timestamp", "permalink")


def _find(
    meta: MetaConnector,
    account: ConnectedAccount,
    request: PublishRequest,
    checkpoint: dict,
    since: datetime | None,
    listing: _Listing,
) -> Published | None:
    """The checkpointed id if an earlier attempt got one, else a recent post with the same
    text that no other target has claimed."""
    token = account.access_token
    if checkpoint.get(listing.checkpoint_key):
        known = checkpoint[listing.checkpoint_key]
        return Published(known, _permalink(meta, token, known, listing.link))
    fields = ",".join(("id", listing.text, listing.created, listing.link))
    body = meta.graph_get(f"{account.external_id}/{listing.edge}", token, fields=fields, limit=25)
    for item in body.get("data", []):
        if item["id"] in request.known_ids:
            continue
        if _same_text(item.get(listing.text, ""), request.text) and _since(
            item.get(listing.created, ""), since
        ):
            return Published(item["id"], item.get(listing.link, ""))
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
        found = _find(meta, account, request, checkpoint.data, None, INSTAGRAM_MEDIA)
        if found is not None:
            return found
        raise Permanent("Instagram says this post is already published.", platform="meta")
    media_id = meta.graph_post(f"{ig}/media_publish", token, creation_id=container)["id"]
    checkpoint.save(media_id=media_id)
    return Published(media_id, _permalink(meta, token, media_id, "permalink"))


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
        return _find(meta, account, request, checkpoint, since, INSTAGRAM_MEDIA)
    return _find(meta, account, request, checkpoint, since, PAGE_POSTS)
