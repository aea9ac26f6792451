"""Answering a conversation: a reply a person typed, checked against the platform's rules,
stored as "sending" and sent by a task. A send is claimed once, so a retried task, a double
click or a retry after failure never sends the same reply twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from connections.errors import AuthExpired, PlatformError, RateLimited
from connections.services import mark_needs_reconnect
from mixora.errors import UserFacingError

from . import platform_calls
from .models import Conversation, Message
from .windows import reply_rule, thread_of

log = logging.getLogger(__name__)


def _enqueue(message: Message) -> None:
    from .tasks import send_reply

    transaction.on_commit(lambda: send_reply.delay(message.pk))


def create_reply(
    conversation: Conversation, author: User, text: str, *, typed_by_person: bool
) -> Message:
    """Queue a reply; UserFacingError when the platform's rules refuse it now."""
    text = text.strip()
    if not text:
        raise UserFacingError("Type a reply first.")
    thread = thread_of(conversation)
    rule = reply_rule(conversation, thread=thread)
    if not rule.allowed:
        raise UserFacingError(rule.reason)
    length = rule.length(text)
    if length > rule.max_length:
        raise UserFacingError(
            f"Replies here can be at most {rule.max_length:,} characters (this one has {length:,})."
        )
    if rule.human_agent and not typed_by_person:
        raise UserFacingError(
            "Confirm that you typed this reply yourself: "
            "Meta's human agent tag allows nothing else."
        )
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            account=conversation.account,
            direction=Message.Direction.OUTBOUND,
            author=author,
            sender_name=author.display_name,
            text=text,
            status=Message.Status.SENDING,
            messaging_type=rule.messaging_type,
            tag=rule.tag,
            in_reply_to=thread.last_inbound_id,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=message.sent_at,
            preview=text[:200],
            updated_at=timezone.now(),
        )
        _enqueue(message)
    return message


def add_note(conversation: Conversation, author: User, text: str) -> Message:
    text = text.strip()
    if not text:
        raise UserFacingError("Type a note first.")
    with transaction.atomic():
        note = Message.objects.create(
            conversation=conversation,
            account=conversation.account,
            direction=Message.Direction.NOTE,
            author=author,
            sender_name=author.display_name,
            text=text[:5000],
            status=Message.Status.SENT,
        )
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return note


def retry(message: Message, actor: User) -> None:
    """Send a failed reply again (the same row: it can only ever be sent once), still answering
    the message it was written for."""
    thread = thread_of(message.conversation, answering=message.in_reply_to)
    rule = reply_rule(message.conversation, thread=thread)
    if not rule.allowed:
        raise UserFacingError(rule.reason)
    with transaction.atomic():
        claimed = Message.objects.filter(
            pk=message.pk, direction=Message.Direction.OUTBOUND, status=Message.Status.FAILED
        ).update(
            status=Message.Status.SENDING,
            error="",
            messaging_type=rule.messaging_type,
            tag=rule.tag,
        )
        if not claimed:
            raise UserFacingError("This reply is not waiting for a retry.")
        Conversation.objects.filter(pk=message.conversation_id).update(updated_at=timezone.now())
        _enqueue(message)


def send(message_id: int) -> str:
    """Send a queued reply once. The claim (sending and not started) is taken in its own
    transaction, so a duplicate task finds it taken and does nothing."""
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.SENDING, send_started_at__isnull=True
    ).update(send_started_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("conversation__account", "account").get(pk=message_id)
    try:
        external_id = platform_calls.send(message)
    except PlatformError as exc:
        _failed(message, exc)
        return "failed"
    with transaction.atomic():
        # A webhook echo or a poll may have stored this very message while the call was on
        # its way back: ours is the one to keep (it has the author).
        Message.objects.filter(account=message.account, external_id=external_id).exclude(
            pk=message.pk
        ).delete()
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SENT, external_id=external_id, sent_at=timezone.now(), error=""
        )
    Conversation.objects.filter(pk=message.conversation_id).update(updated_at=timezone.now())
    return "sent"


STUCK_AFTER = timedelta(minutes=5)


def sweep() -> int:
    """Replies whose task was lost go out again; a send that started and never finished (a
    worker died mid-call) may or may not have arrived, so it waits for a person."""
    cutoff = timezone.now() - STUCK_AFTER
    unknown = Message.objects.filter(
        status=Message.Status.SENDING, send_started_at__lt=cutoff
    ).update(
        status=Message.Status.FAILED,
        send_started_at=None,
        error="Mixora could not confirm this reply was sent: check the platform before retrying.",
    )
    lost = list(
        Message.objects.filter(
            status=Message.Status.SENDING, send_started_at__isnull=True, sent_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    from .tasks import send_reply

    for message_id in lost:
        send_reply.delay(message_id)
    return unknown + len(lost)


def _failed(message: Message, exc: PlatformError) -> None:
    reason = exc.message
    if isinstance(exc, RateLimited):
        local = timezone.localtime(exc.retry_at).strftime("%H:%M")
        reason = f"{exc.message} Try again after {local}."
    if isinstance(exc, AuthExpired):
        mark_needs_reconnect(message.account, exc.message)
    log.info("reply %s failed: %s", message.pk, reason)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, error=reason[:500], send_started_at=None
    )
    Conversation.objects.filter(pk=message.conversation_id).update(updated_at=timezone.now())
