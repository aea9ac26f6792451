"""Customers' profile pictures, copied into our storage so the team's browsers never load a
platform's URL (which would tell the platform who opened which conversation, and when).

The network gives a picture URL (`Conversation.participant_avatar_url`, never rendered); a
task fetches it after ingest with a timeout, a size limit and a check that it really is a
raster image, stores it under a name derived from that URL (so a changed picture is fetched
again and an unchanged one never is), and the inbox shows it through
`inbox_participant_avatar`, a page only members of the workspace can open. A thread's picture
is deleted with the thread, whatever deletes it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import PurePosixPath
from typing import Any

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from connections.errors import Permanent, Retryable

from .models import Conversation

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024  # profile pictures are a few kilobytes; "original" sizes < 2 MB
# Raster formats only, by Content-Type, each checked against what Pillow reads: an SVG or an
# HTML page served as a picture could carry script.
FORMATS = {
    "image/jpeg": ("JPEG", ".jpg"),
    "image/png": ("PNG", ".png"),
    "image/gif": ("GIF", ".gif"),
    "image/webp": ("WEBP", ".webp"),
}
CONTENT_TYPES = {extension: content_type for content_type, (_, extension) in FORMATS.items()}
MAX_REDIRECTS = 3  # Meta's profile_pic links redirect once to its CDN


def source_key(url: str) -> str:
    """A short digest of the picture's URL: part of the stored file's name."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def needs_fetch(conversation: Conversation) -> bool:
    """The thread has a picture URL whose copy we do not hold yet."""
    url = conversation.participant_avatar_url
    return bool(url) and source_key(url) not in conversation.participant_avatar.name


def schedule(conversation_id: int) -> None:
    """Fetch the thread's picture in a task once the current transaction commits."""

    def enqueue() -> None:
        from .tasks import fetch_participant_avatar

        try:
            fetch_participant_avatar.delay(conversation_id)
        except Exception:  # the broker is down: the next message from this person asks again
            log.exception("could not enqueue the picture of conversation %s", conversation_id)

    transaction.on_commit(enqueue)


def fetch(conversation_id: int) -> str:
    """Copy the thread's picture into our storage; what happened, in a word or two.

    Raises Retryable for what may work later (timeouts, 5xx, 429), so the task retries with
    backoff; a refusal that retrying cannot fix (a dead link, not a picture, too large) is
    logged and the thread keeps its initials."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id)
        .only("workspace_id", "participant_avatar_url", "participant_avatar")
        .first()
    )
    if conversation is None:
        return "gone"
    if not needs_fetch(conversation):
        return "up to date"
    url = conversation.participant_avatar_url
    try:
        content, extension = download(url)
    except Permanent as exc:
        log.info("picture of conversation %s refused: %s", conversation_id, exc.message)
        return f"refused: {exc.message}"
    name = default_storage.save(
        f"inbox/avatars/{conversation.workspace_id}/{conversation_id}-{source_key(url)}{extension}",
        ContentFile(content),
    )
    old = conversation.participant_avatar.name
    # Only if the thread still has that picture URL: a newer one is another task's job, and
    # a deleted thread must not get a file back.
    stored = Conversation.objects.filter(pk=conversation_id, participant_avatar_url=url).update(
        participant_avatar=name, updated_at=timezone.now()
    )
    unused = old if stored else name
    if unused:
        default_storage.delete(unused)
    return "stored" if stored else "outdated"


def download(url: str) -> tuple[bytes, str]:
    """The picture at `url` and its file extension, or Retryable / Permanent."""
    if not _allowed_source(url):
        raise Permanent("Only https picture links are fetched.")
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = "Mixora/1.0"
    try:
        with session.get(url, timeout=settings.PLATFORM_HTTP_TIMEOUT, stream=True) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise Retryable(f"The picture's host answered {response.status_code}.")
            if response.status_code != 200:
                raise Permanent(f"The picture's host answered {response.status_code}.")
            if not _allowed_source(response.url):
                raise Permanent("The picture link redirected away from https.")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in FORMATS:
                raise Permanent(f"Not a picture we keep ({content_type or 'no content type'}).")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise Permanent("The picture is too large.")
            content = _read_capped(response)
    except requests.Timeout:
        raise Retryable("The picture's host did not answer in time.") from None
    except requests.TooManyRedirects:
        raise Permanent("The picture link redirects too often.") from None
    except requests.RequestException:
        # `from None`: the exception's text holds the URL, which may carry a signature.
        raise Retryable("Could not reach the picture's host.") from None
    expected_format, extension = FORMATS[content_type]
    if _image_format(content) != expected_format:
        raise Permanent(f"The file is not the {expected_format} picture it claims to be.")
    return content, extension


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


def _allowed_source(url: str) -> bool:
    # Platforms serve pictures over https; the emulator (local mode and tests) over http.
    emulator = getattr(settings, "EMULATOR_URL", "")
    return url.startswith("https://") or bool(emulator and url.startswith(f"{emulator}/"))


def _read_capped(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise Permanent("The picture is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


def _image_format(content: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


@receiver(post_delete, sender=Conversation, dispatch_uid="inbox.avatars.delete_picture")
def delete_picture(sender: Any, instance: Conversation, **kwargs: Any) -> None:
    """A deleted thread (by a person, retention, a disconnect or a purge) takes its stored
    picture along, once the deletion commits."""
    name = instance.participant_avatar.name
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
