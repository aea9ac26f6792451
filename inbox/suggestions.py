"""What "Suggest a reply" sends: the conversation being answered, as data. The customer's
messages (with their name, to greet them) and the replies sent, newest last; never internal
notes, failed sends or a teammate's name."""

from __future__ import annotations

from assistant import prompts

from .models import Conversation, Message

THREAD_MESSAGES = 20  # the newest messages sent as context


def thread_material(conversation: Conversation) -> dict:
    recent = (
        conversation.messages.exclude(direction=Message.Direction.NOTE)
        .exclude(status=Message.Status.FAILED)
        .order_by("-sent_at", "-id")
        .values_list("direction", "sender_name", "text")[:THREAD_MESSAGES]
    )
    name = conversation.participant_name or conversation.participant_handle
    return prompts.thread_material(
        [
            (direction == Message.Direction.INBOUND, sender or name, text)
            for direction, sender, text in reversed(recent)
        ]
    )


def subject(conversation_id: int) -> str:
    return f"inbox.conversation:{conversation_id}"
