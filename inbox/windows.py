"""Whether a conversation can be answered now, and how: the account must work, its network
must offer replies for this kind of conversation, and the network's own rules (messaging
windows, lengths) must allow it. Checked before anything is sent."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from connections.models import ConnectedAccount
from connections.platforms.network import ReplyRule, Thread
from connections.platforms.registry import network_for

from .access import feature_for
from .models import Conversation, Message

__all__ = ["ReplyRule", "reply_rule"]


def reply_rule(
    conversation: Conversation, now: datetime | None = None, thread: Thread | None = None
) -> ReplyRule:
    """The rule for a reply now, judged on `thread` (read from the conversation if not given)."""
    account: ConnectedAccount = conversation.account
    if account.status == ConnectedAccount.Status.PAUSED:
        return ReplyRule(False, f"{account.display_name} is paused. {account.status_reason}")
    if account.status != ConnectedAccount.Status.ACTIVE:
        return ReplyRule(False, f"{account.display_name} needs reconnecting before you can reply.")
    feature = feature_for(account, conversation.kind)
    if feature is None or not feature.reply:
        return ReplyRule(False, feature.detail if feature else "Replies are not available here.")
    thread = thread or thread_of(conversation)
    return network_for(account).reply_rule(account, thread, now or timezone.now())


def thread_of(conversation: Conversation, answering: str = "") -> Thread:
    """The conversation as a network's rules see it; `answering` names the inbound message a
    reply answers (default: the newest one)."""
    inbound = conversation.messages.filter(direction=Message.Direction.INBOUND)
    if answering:
        inbound = inbound.filter(external_id=answering)
    # Ties (platforms stamp to the second) go to the one that arrived last.
    newest = inbound.order_by("-sent_at", "-pk").values_list("external_id", "text").first()
    last_id, last_text = newest or ("", "")
    return Thread(
        kind=conversation.kind,
        thread_key=conversation.thread_key,
        participant_id=conversation.participant_id,
        last_inbound_at=conversation.last_inbound_at,
        last_inbound_id=last_id or answering,
        last_inbound_text=last_text,
    )
