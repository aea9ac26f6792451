"""The inbox's calls to the platforms, through each account's network (timeouts, error
classes and token refresh come from there): sending a reply and looking up a sender."""

from __future__ import annotations

from connections.models import ConnectedAccount
from connections.platforms.network import ReplyTarget
from connections.platforms.registry import network_for

from .models import Message


def send(message: Message) -> str:
    """Send one reply; the platform's id for it. Raises a PlatformError."""
    conversation = message.conversation
    last_inbound = (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("external_id", flat=True)
        .first()
    )
    target = ReplyTarget(
        kind=conversation.kind,
        thread_key=conversation.thread_key,
        participant_id=conversation.participant_id,
        text=message.text,
        messaging_type=message.messaging_type,
        tag=message.tag,
        last_inbound_id=last_inbound or "",
        last_inbound_at=conversation.last_inbound_at,
    )
    return network_for(message.account).send_reply(message.account, target)


def sender_profile(account: ConnectedAccount, person_id: str) -> dict[str, str] | None:
    """A sender's public name and picture where the platform's events carry only an id."""
    return network_for(account).sender_profile(account, person_id)
