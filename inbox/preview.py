"""The conversation list's preview is a copy of a message's text, so when messages are
deleted (retention, a purge) the copy must not outlive them: it is recomputed from the newest
message left, or emptied."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Left
from django.utils import timezone

from .models import Conversation, Message

PREVIEW_LENGTH = Conversation._meta.get_field("preview").max_length


def refresh_previews(conversation_ids: Iterable[int]) -> int:
    """Set each conversation's preview to its newest remaining customer message or reply
    (internal notes never show there, as when messages arrive), or to nothing; how many
    conversations were updated."""
    newest = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(direction=Message.Direction.NOTE)
        .order_by("-sent_at", "-id")
        .values(text_start=Left("text", PREVIEW_LENGTH))[:1]
    )
    return Conversation.objects.filter(pk__in=list(conversation_ids)).update(
        preview=Coalesce(Subquery(newest), Value("")),
        # Open pages ask "anything new?" by this.
        updated_at=timezone.now(),
    )
