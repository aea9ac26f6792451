"""Publishing to Facebook Pages and Instagram professional accounts (Graph API).

https://developers.facebook.com/docs/pages-api/posts
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ...errors import Permanent, PlatformError, Retryable
from .. import Platform
from ..base import Checkpoint, MediaItem, Published, PublishRequest
from ..waiting import wait_until
from .errors import PUBLISHING_WINDOW, ContainerLost, PublishingLimit

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import MetaConnector


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
        return _publish_video(meta, page, token, videos[0].url, request.text, checkpoint)
    if len(images) == 1:
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


def _publish_video(
    meta: MetaConnector, page: str, token: str, url: str, text: str, checkpoint: Checkpoint
) -> Published:
    """A Page video is a Video object with its own feed post: comments (and their webhooks)
    name the post, `{page-id}_{post-id}`, which the Video's `post_id` field gives."""
    video_id = checkpoint.data.get("video_id")
    if not video_id:
        video_id = meta.graph_post(f"{page}/videos", token, file_url=url, description=text)["id"]
        checkpoint.save(video_id=video_id)  # it exists now: a retry must not upload it again
    post_id = meta.graph_get(video_id, token, fields="post_id").get("post_id")
    if not post_id:
        raise Retryable("Facebook has not made the video's post yet.", platform="meta")
    checkpoint.save(post_id=post_id)
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


def _source(item: MediaItem, video_type: str) -> dict[str, str]:
    if item.kind == "video":
        return {"media_type": video_type, "video_url": item.url}
    return {"image_url": item.url}


def _state(meta: MetaConnector, token: str, container: str, checkpoint: Checkpoint) -> str | None:
    """FINISHED (ready to publish), PUBLISHED (an earlier attempt already did) or None (still
    processing). A dead container is forgotten, so a retry builds a new one."""
    body = meta.graph_get(container, token, fields="status_code,status")
    code = body.get("status_code")
    if code in ("ERROR", "EXPIRED"):
        checkpoint.save(container_id=None, children=None)
        if code == "EXPIRED":  # not published within 24 hours: the media itself is fine
            raise ContainerLost("Instagram's media container expired.", platform="meta")
        raise Permanent(
            f"Instagram could not process the media: {body.get('status') or code}.",
            platform="meta",
        )
    return code if code in ("FINISHED", "PUBLISHED") else None


def _wait_ready(meta: MetaConnector, token: str, container: str, checkpoint: Checkpoint) -> str:
    return wait_until(
        lambda: _state(meta, token, container, checkpoint),
        what="Instagram's media",
        platform="meta",
    )


def _wait_all(
    meta: MetaConnector, token: str, containers: list[str], checkpoint: Checkpoint
) -> None:
    """Carousel items process side by side: each round asks about every one still pending, so
    the whole carousel shares one polling budget."""
    pending = list(containers)

    def round_done() -> bool | None:
        pending[:] = [c for c in pending if _state(meta, token, c, checkpoint) is None]
        return True if not pending else None

    wait_until(round_done, what="Instagram's carousel items", platform="meta")


def _carousel(
    meta: MetaConnector, ig: str, token: str, request: PublishRequest, checkpoint: Checkpoint
) -> str:
    """The carousel container: every item made first (kept, so a retry reuses them), then
    waited on together."""
    children = list(checkpoint.data.get("children") or [])
    for item in request.media[len(children) :]:
        children.append(
            _container(meta, ig, token, is_carousel_item="true", **_source(item, "VIDEO"))
        )
        checkpoint.save(children=children)
    _wait_all(meta, token, children, checkpoint)
    return _container(
        meta, ig, token, media_type="CAROUSEL", children=",".join(children), caption=request.text
    )


def _limit_lifts_at(meta: MetaConnector, ig: str, token: str) -> datetime | None:
    """When the 24-hour publishing quota has room again, by content_publishing_limit: a whole
    window from now while it is full; if it already shows room (posts aged out meanwhile), a
    cautious hour, so a quota that disagrees with media_publish cannot make a busy loop."""
    since = int((timezone.now() - PUBLISHING_WINDOW).timestamp())
    try:
        body = meta.graph_get(
            f"{ig}/content_publishing_limit", token, fields="quota_usage,config", since=since
        )
    except PlatformError:
        return None
    usage = (body.get("data") or [{}])[0]
    config = usage.get("config") or {}
    if usage.get("quota_usage", 0) < config.get("quota_total", 0):
        return timezone.now() + timedelta(hours=1)
    return timezone.now() + timedelta(seconds=config.get("quota_duration") or 86400)


def publish_instagram(
    meta: MetaConnector, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
) -> Published:
    ig, token = account.external_id, account.access_token
    container = checkpoint.data.get("container_id")
    try:
        if not container:
            if len(request.media) == 1:
                params = _source(request.media[0], "REELS")
                container = _container(meta, ig, token, caption=request.text, **params)
            else:
                container = _carousel(meta, ig, token, request, checkpoint)
            checkpoint.save(container_id=container)
        if _wait_ready(meta, token, container, checkpoint) == "PUBLISHED":
            # Never publish a container twice: find what the earlier attempt made.
            found = _find(meta, account, request, checkpoint.data, None, INSTAGRAM_MEDIA)
            if found is not None:
                return found
            raise Permanent("Instagram says this post is already published.", platform="meta")
        media_id = meta.graph_post(f"{ig}/media_publish", token, creation_id=container)["id"]
    except ContainerLost:
        checkpoint.save(container_id=None, children=None)  # the retry starts afresh
        raise
    except PublishingLimit as exc:
        if lifts_at := _limit_lifts_at(meta, ig, token):
            exc.retry_at = lifts_at
        raise
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
