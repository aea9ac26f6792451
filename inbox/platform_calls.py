"""The inbox's calls to the platforms, through each account's network (timeouts, error
classes and token refresh come from there): sending a reply and looking up a sender."""

from __future__ import annotations

from connections.models import ConnectedAccount
from connections.platforms.network import ReplyTarget
from connections.platforms.registry import network_for

from .models import Message
from .windows import thread_of


def send(message: Message) -> str:
    """Send one reply; the platform's id for it. Raises a PlatformError."""
    # What the person answered, even if more arrived since.
    thread = thread_of(message.conversation, answering=message.in_reply_to)
    target = ReplyTarget(
        thread=thread,
        text=message.text,
        messaging_type=message.messaging_type,
        tag=message.tag,
    )
    return network_for(message.account).send_reply(message.account, target)


def sender_profile(account: ConnectedAccount, person_id: str) -> dict[str, str] | None:
    """A sender's public name and picture where the platform's events carry only an id."""
    return network_for(account).sender_profile(account, person_id)
