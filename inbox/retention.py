"""Deleting inbox data for good: one thread on request, everything older than a workspace's
retention period (in batches, so no statement holds locks for long), and everything of an
account being disconnected. Attachment files go from storage once the rows are gone."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Workspace
from assistant import provenance

from . import suggestions
from .models import Attachment, Conversation, DeletedMessageMarker, Message
from .preview import refresh_previews


def _delete_files(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def _delete_messages(messages: QuerySet[Message]) -> int:
    """Delete matching messages (and their attachments) a batch at a time."""
    batch, total = settings.INBOX_PURGE_BATCH, 0
    while True:
        with transaction.atomic():
            ids = list(messages.values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            files = list(
                Attachment.objects.filter(message_id__in=ids).values_list("file", flat=True)
            )
            conversation_ids = set(
                Message.objects.filter(pk__in=ids).values_list("conversation_id", flat=True)
            )
            Attachment.objects.filter(message_id__in=ids).delete()
            total += Message.objects.filter(pk__in=ids).delete()[0]
            # The list's preview copies a message's text: it must not outlive the message.
            refresh_previews(conversation_ids)
            _delete_files(files)


def _delete_conversations(conversations: QuerySet[Conversation]) -> int:
    total = 0
    for conversation_id in list(conversations.values_list("pk", flat=True)):
        total += delete_conversation_by_id(conversation_id)
    return total


def delete_conversation_by_id(conversation_id: int) -> int:
    """The thread, its messages, notes and attachments; how many messages went. Its platform
    messages leave markers behind, so a redelivered event stays deleted."""
    mark_deleted(Message.objects.filter(conversation_id=conversation_id).exclude(external_id=""))
    count = _delete_messages(Message.objects.filter(conversation_id=conversation_id))
    Conversation.objects.filter(pk=conversation_id).delete()
    provenance.forget(suggestions.subject(conversation_id))  # its reply suggestions hold its text
    return count


def message_digest(external_id: str) -> str:
    """A keyed one-way digest of a platform message id: enough to recognise it again, not to
    recover it."""
    key = f"inbox-deleted-message:{settings.SECRET_KEY}".encode()
    return hmac.new(key, external_id.encode(), hashlib.sha256).hexdigest()


def mark_deleted(messages: QuerySet[Message]) -> None:
    markers = [
        DeletedMessageMarker(account_id=account_id, digest=message_digest(external_id))
        for account_id, external_id in messages.values_list("account_id", "external_id")
    ]
    DeletedMessageMarker.objects.bulk_create(markers, ignore_conflicts=True, batch_size=1000)


def was_deleted(account_id: int, external_id: str) -> bool:
    return DeletedMessageMarker.objects.filter(
        account_id=account_id, digest=message_digest(external_id)
    ).exists()


def delete_account_inbox(account_id: int) -> int:
    return _delete_conversations(Conversation.objects.filter(account_id=account_id))


def _cutoff(workspace: Workspace, now: datetime) -> datetime:
    return now - timedelta(days=workspace.inbox_retention_days)


def _expired_messages(workspace: Workspace, now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(
        conversation__workspace=workspace, sent_at__lt=_cutoff(workspace, now)
    )


def purge_workspace(workspace: Workspace, now: datetime | None = None) -> int:
    """Apply the workspace's retention: messages older than the period go; so do threads
    left empty."""
    if not workspace.inbox_retention_days:
        return 0
    now = now or timezone.now()
    cutoff = _cutoff(workspace, now)
    removed = _delete_messages(_expired_messages(workspace, now))
    # Threads left with nothing (a recent internal note keeps its thread).
    _delete_conversations(
        Conversation.objects.filter(workspace=workspace, last_message_at__lt=cutoff).filter(
            ~Exists(Message.objects.filter(conversation=OuterRef("pk")))
        )
    )
    return removed


def _with_retention() -> QuerySet[Workspace]:
    return Workspace.objects.filter(inbox_retention_days__isnull=False)


def purge_all(now: datetime | None = None) -> int:
    return sum(purge_workspace(workspace, now) for workspace in _with_retention())


def count_due(now: datetime | None = None) -> int:
    """The messages `purge_all(now)` would delete (a dry run: nothing changes)."""
    now = now or timezone.now()
    return sum(
        _expired_messages(workspace, now).count()
        for workspace in _with_retention()
        if workspace.inbox_retention_days
    )
