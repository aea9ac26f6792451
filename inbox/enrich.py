"""What a message needs after it is stored, fetched outside the ingest transaction: the
sender's public name and picture where the network's events carry only an id (Meta; the
picture itself is copied by avatars.py), and copies of attachments."""

from __future__ import annotations

import logging
import mimetypes
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.utils import timezone

from connections.errors import PlatformError
from connections.models import ConnectedAccount

from . import avatars, platform_calls
from .models import Attachment, Conversation, Message
from .search import participant_key

log = logging.getLogger(__name__)


# Profile lookups of a batch in flight at once: each is mostly a wait on the network, which
# threads overlap; the bound keeps a batch of 100 new people from opening 100 connections.
LOOKUPS_AT_ONCE = 8


def enrich_all(messages: Sequence[Message]) -> None:
    """What the messages just stored need (a batch's, or one delivery's): one profile lookup
    per Messenger thread without a name, run concurrently, then attachments, one by one."""
    _sender_profiles(messages)
    for message in messages:
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


def _sender_profiles(messages: Sequence[Message]) -> None:
    """Look up the senders of unnamed threads (one lookup per thread) in worker threads that
    only do HTTP; this thread writes every name found in two statements. A lookup that fails
    leaves its thread showing the id until its next message; the others are written."""
    unnamed: dict[int, Conversation] = {}
    for message in messages:
        conversation = message.conversation
        if conversation.kind == Conversation.Kind.MESSAGE and not conversation.participant_name:
            unnamed.setdefault(conversation.pk, conversation)
    if not unnamed:
        return
    # Written in pk order, the order ingest_batch locks threads in (a join over VALUES, row
    # by row through the primary key, locks them in that order).
    conversations = sorted(unnamed.values(), key=lambda c: c.pk)
    accounts = _accounts(conversations)
    with ThreadPoolExecutor(min(LOOKUPS_AT_ONCE, len(conversations))) as pool:
        futures = [
            pool.submit(_lookup_in_thread, accounts[c.account_id], c.participant_id)
            for c in conversations
        ]
    found: list[tuple[Conversation, dict[str, str]]] = []
    failure: Exception | None = None
    for conversation, future in zip(conversations, futures, strict=True):
        try:
            profile = future.result()
        except Exception as exc:  # not the platform's refusal but a bug: still write the others
            failure = failure or exc
            continue
        if profile is not None:  # None: the network's events already carry names
            found.append((conversation, profile))
    _save_profiles(found)
    if failure is not None:
        raise failure


def _accounts(conversations: list[Conversation]) -> dict[int, ConnectedAccount]:
    """The threads' accounts, loaded here rather than lazily in the lookup threads."""
    accounts = {c.account_id: c.account for c in conversations if Conversation.account.is_cached(c)}
    missing = {c.account_id for c in conversations} - accounts.keys()
    if missing:
        accounts.update(ConnectedAccount.objects.in_bulk(missing))
    return accounts


def _lookup_in_thread(account: ConnectedAccount, person_id: str) -> dict[str, str] | None:
    try:
        return _lookup(account, person_id)
    finally:
        # Only a token refresh (connections.services.refresh) touches the database here; a
        # connection it opened belongs to this short-lived thread, so close it now.
        connections.close_all()


def _lookup(account: ConnectedAccount, person_id: str) -> dict[str, str] | None:
    try:
        profile = platform_calls.sender_profile(account, person_id)
    except PlatformError as exc:  # the thread still works; it shows the id until next time
        log.info("no profile for %s: %s", person_id, exc.message)
        return None
    return profile and _fitted(profile)


def _fitted(profile: dict[str, str]) -> dict[str, str]:
    """The profile within the columns' lengths: one overlong value must not fail the batch's
    UPDATE. A name is cut; a picture URL too long to store is dropped (a cut one is wrong)."""
    fitted = {}
    for field, value in profile.items():
        limit = Conversation._meta.get_field(field).max_length
        if field == "participant_avatar_url" and len(value) > limit:
            value = ""
        fitted[field] = value[:limit]
    return fitted


# Every thread's new name in one statement, and its messages' sender names in another (SQL
# that PostgreSQL and SQLite 3.33+ both run). bulk_update's CASE WHEN per row and column cost
# about 2 ms of Python a thread to build, more than the lookup itself.
RENAME_THREADS = """
WITH found (id, name, handle, avatar_url, search_name) AS (VALUES {rows})
UPDATE inbox_conversation SET participant_name = found.name, participant_handle = found.handle,
    participant_avatar_url = found.avatar_url, search_name = found.search_name, updated_at = %s
FROM found WHERE inbox_conversation.id = found.id
"""
NAME_SENDERS = """
WITH found (conversation_id, name) AS (VALUES {rows})
UPDATE inbox_message SET sender_name = found.name
FROM found WHERE inbox_message.conversation_id = found.conversation_id
    AND inbox_message.direction = %s AND inbox_message.sender_name = ''
"""


def _save_profiles(found: list[tuple[Conversation, dict[str, str]]]) -> None:
    """The threads' names, handles and pictures, then their messages' sender names, two
    statements in all, and one picture task for the threads whose picture we do not hold yet."""
    if not found:
        return
    now = timezone.now()
    threads, senders = [], []
    for conversation, profile in found:
        for field, value in profile.items():
            setattr(conversation, field, value)
        conversation.search_name = participant_key(
            conversation.participant_name, conversation.participant_handle
        )
        conversation.updated_at = now
        threads.append(
            (
                conversation.pk,
                conversation.participant_name,
                conversation.participant_handle,
                conversation.participant_avatar_url,
                conversation.search_name,
            )
        )
        if conversation.participant_name:
            senders.append((conversation.pk, conversation.participant_name))
    with connection.cursor() as cursor:
        cursor.execute(
            RENAME_THREADS.format(rows=", ".join(["(%s, %s, %s, %s, %s)"] * len(threads))),
            [*chain.from_iterable(threads), connection.ops.adapt_datetimefield_value(now)],
        )
        if senders:
            cursor.execute(
                NAME_SENDERS.format(rows=", ".join(["(%s, %s)"] * len(senders))),
                [*chain.from_iterable(senders), Message.Direction.INBOUND],
            )
    avatars.schedule_many([c.pk for c, _ in found if avatars.needs_fetch(c)])


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
