"""What a message needs after it is stored, fetched outside the ingest transaction: the
sender's public name and picture where the network's events carry only an id (Meta; the
picture itself is copied by avatars.py), and copies of attachments."""

from __future__ import annotations

import logging
import mimetypes
import uuid

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from connections.errors import PlatformError

from . import avatars, platform_calls
from .models import Attachment, Conversation, Message
from .search import participant_key

log = logging.getLogger(__name__)


def enrich(message: Message) -> None:
    conversation = message.conversation
    if conversation.kind == Conversation.Kind.MESSAGE and not conversation.participant_name:
        _sender_profile(conversation)
    if message.pending_attachments:
        _copy_attachments(message)


def _copy_attachments(message: Message) -> None:
    failed = sum(
        store_attachment(message, kind, url) is None for kind, url in message.pending_attachments
    )
    error = f"{failed} attachment(s) could not be fetched from the platform." if failed else ""
    Message.objects.filter(pk=message.pk).update(pending_attachments=[], error=error)
    # The open thread's poll asks "changed since?": the copies are a change to show.
    Conversation.objects.filter(pk=message.conversation_id).update(updated_at=timezone.now())


def _sender_profile(conversation: Conversation) -> None:
    try:
        profile = platform_calls.sender_profile(conversation.account, conversation.participant_id)
    except PlatformError as exc:  # the thread still works; it shows the id until next time
        log.info("no profile for %s: %s", conversation.participant_id, exc.message)
        return
    if profile is None:  # the network's events already carry names
        return
    Conversation.objects.filter(pk=conversation.pk).update(
        **profile,
        search_name=participant_key(
            profile.get("participant_name", ""), profile.get("participant_handle", "")
        ),
        updated_at=timezone.now(),
    )
    if profile.get("participant_avatar_url"):
        avatars.schedule(conversation.pk)
    Message.objects.filter(
        conversation=conversation, direction=Message.Direction.INBOUND, sender_name=""
    ).update(sender_name=profile["participant_name"])


def store_attachment(message: Message, kind: str, url: str) -> Attachment | None:
    """Copy one attachment into our storage (platform CDN links expire). None when it could not
    be fetched; the message then says so."""
    limit = settings.INBOX_ATTACHMENT_MAX_BYTES
    try:
        with requests.get(url, timeout=settings.PLATFORM_HTTP_TIMEOUT, stream=True) as response:
            response.raise_for_status()
            content_type = response.headers.get("Content-Type", "application/octet-stream")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ValueError("attachment too large")
                chunks.append(chunk)
    except (requests.RequestException, ValueError) as exc:
        log.info("attachment of message %s not fetched: %s", message.pk, type(exc).__name__)
        return None
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    attachment = Attachment(
        message=message,
        conversation_id=message.conversation_id,
        kind=kind[:20],
        content_type=content_type[:100],
        size=size,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(b"".join(chunks)), save=True)
    return attachment
