"""Storing inbound messages: one message per platform id and account (a redelivered event is
a no-op), in the thread it belongs to, with the conversation's summary kept in time order
whatever order events arrive in."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from connections.models import ConnectedAccount
from connections.platforms.inbox_types import InboundItem
from publishing.models import PostTarget

from . import avatars
from .models import Conversation, Message
from .retention import was_deleted


def ingest(item: InboundItem) -> list[Message]:
    """Store the item for every workspace that connected the account; the new messages."""
    if not (item.external_id and item.thread_key and item.account_external_id):
        return []
    accounts = ConnectedAccount.objects.filter(
        platform=item.platform, external_id=item.account_external_id
    ).select_related("workspace")
    return [message for account in accounts if (message := ingest_for(account, item))]


def clamped(item: InboundItem) -> InboundItem:
    """Platform strings cut to our column sizes: one long name must not block a delivery."""
    return replace(
        item,
        participant_name=item.participant_name[:200],
        participant_handle=item.participant_handle[:200],
        participant_avatar_url=item.participant_avatar_url[:1000],
        external_post_id=item.external_post_id[:200],
    )


def ingest_for(account: ConnectedAccount, item: InboundItem) -> Message | None:
    item = clamped(item)
    if past_retention(account, item) or was_deleted(account.pk, item.external_id):
        return None  # a late or replayed event of something already deleted here
    with transaction.atomic():
        if Message.objects.filter(account=account, external_id=item.external_id).exists():
            return None
        conversation = _thread(account, item)
        message = new_message(account, item, conversation)
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:  # the same event, stored by a concurrent delivery
            return None
        absorb(conversation, message, item)
        conversation.save()
        if avatars.needs_fetch(conversation):
            avatars.schedule(conversation.pk)
    return message


def new_message(account: ConnectedAccount, item: InboundItem, thread: Conversation) -> Message:
    """The item as a message of `thread`, not saved yet."""
    return Message(
        conversation=thread,
        account=account,
        direction=Message.Direction.OUTBOUND if item.from_account else Message.Direction.INBOUND,
        external_id=item.external_id,
        sender_name=account.display_name if item.from_account else item.participant_name,
        text=item.text,
        sent_at=item.sent_at,
        status=Message.Status.SENT if item.from_account else Message.Status.RECEIVED,
        pending_attachments=[list(pair) for pair in item.attachment_urls],
    )


def past_retention(account: ConnectedAccount, item: InboundItem) -> bool:
    days = account.workspace.inbox_retention_days
    return bool(days) and item.sent_at < timezone.now() - timedelta(days=days)


def _thread(account: ConnectedAccount, item: InboundItem) -> Conversation:
    """The conversation this item belongs to, locked for the summary update."""
    conversation_id = None
    if item.reply_to_external_id:
        conversation_id = (
            Message.objects.filter(
                account=account,
                external_id=item.reply_to_external_id,
                conversation__kind=item.kind,
            )
            .values_list("conversation_id", flat=True)
            .first()
        )
    if conversation_id is None:
        conversation, _ = Conversation.objects.get_or_create(
            account=account,
            kind=item.kind,
            thread_key=item.thread_key,
            defaults={
                "workspace_id": account.workspace_id,
                "participant_id": item.participant_id,
                "last_message_at": item.sent_at,
                "external_post_id": item.external_post_id,
                "post_target": _published_post(account, item.external_post_id),
            },
        )
        conversation_id = conversation.pk
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def _published_post(account: ConnectedAccount, external_post_id: str) -> PostTarget | None:
    if not external_post_id:
        return None
    return PostTarget.objects.filter(account=account, platform_post_id=external_post_id).first()


def absorb(conversation: Conversation, message: Message, item: InboundItem) -> None:
    """The message's effect on its thread's summary, in memory (the caller saves)."""
    newest = message.sent_at >= conversation.last_message_at
    if newest:
        conversation.last_message_at = message.sent_at
        conversation.preview = message.text[:200]
    if message.direction == Message.Direction.INBOUND:
        if conversation.last_inbound_at is None or message.sent_at > conversation.last_inbound_at:
            conversation.last_inbound_at = message.sent_at
        # A customer writing again brings a resolved or snoozed thread back (not an old
        # message arriving late).
        if newest and conversation.status in (
            Conversation.Status.RESOLVED,
            Conversation.Status.SNOOZED,
        ):
            conversation.status = Conversation.Status.OPEN
            conversation.snoozed_until = None
        for field in ("participant_name", "participant_handle", "participant_avatar_url"):
            if value := getattr(item, field):
                setattr(conversation, field, value)
    conversation.updated_at = timezone.now()
