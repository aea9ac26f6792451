"""The inbox's data about a team member (replies and notes they wrote, assignments, read
marks, saved replies): exported for them, anonymised or deleted with their account. The
customers' side of conversations is the workspace's, governed by inbox retention."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.dispatch import receiver

from accounts.models import User
from accounts.personal_data import DELETED_NAME
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    handles,
    keeps,
    person_deleted,
    values,
)

from .models import Conversation, Message, ReadMark, SavedReply

INBOX_RETENTION = (
    "the workspace's inbox retention (365, 90 or 30 days), or until the account is "
    "disconnected or the conversation deleted"
)


@export_section(70, models=("inbox.Message",))
def inbox_messages(user: User, files: FileSink) -> Section:
    return Section(
        "inbox_messages.json",
        "Replies you sent to customers from the inbox (direction outbound) and internal "
        "notes you wrote for your team (direction note), with the platform, the account and "
        "whether the reply was delivered.",
        {
            "messages": values(
                Message.objects.filter(author=user).order_by("sent_at", "pk"),
                "conversation_id",
                "direction",
                "text",
                "sent_at",
                "status",
                "error",
                platform=F("account__platform"),
                account_name=F("account__display_name"),
                workspace_name=F("conversation__workspace__name"),
            )
        },
    )


@export_section(80, models=("inbox.Conversation", "inbox.ReadMark", "inbox.SavedReply"))
def inbox_activity(user: User, files: FileSink) -> Section:
    return Section(
        "inbox_activity.json",
        "Your other inbox data: saved replies you created, conversations assigned to you and "
        "when you last read each conversation.",
        {
            "saved_replies": values(
                SavedReply.objects.filter(created_by=user).order_by("pk"),
                "title",
                "text",
                workspace_name=F("workspace__name"),
            ),
            "assigned_conversations": values(
                Conversation.objects.filter(assignee=user).order_by("pk"),
                "kind",
                "status",
                conversation_id=F("id"),
                platform=F("account__platform"),
                account_name=F("account__display_name"),
                workspace_name=F("workspace__name"),
            ),
            "read_marks": values(
                ReadMark.objects.filter(user=user).order_by("pk"), "conversation_id", "read_at"
            ),
        },
    )


handles(
    "inbox.Message",
    ("sender_name",),
    "replies and notes the person wrote show 'Deleted user' at once",
)
keeps(
    "inbox.Message",
    ("author", "text", "search_text", "pending_attachments"),
    reason="replies sent to a customer and notes for the team are the workspace's "
    "conversation history; the author shows as 'Deleted user'",
    period=INBOX_RETENTION,
)
handles("inbox.Conversation", ("assignee",), "conversations assigned to the person are unassigned")
keeps(
    "inbox.Conversation",
    (
        "participant_id",
        "participant_name",
        "participant_handle",
        "participant_avatar_url",
        "participant_avatar",
        "search_name",
    ),
    reason="the workspace's customer on the network, not a Mixora user",
    period=INBOX_RETENTION,
)
keeps(
    "inbox.Attachment",
    ("file",),
    reason="a file a customer sent to the workspace",
    period=INBOX_RETENTION,
)
handles("inbox.ReadMark", ("user",), "deleted at once")
keeps(
    "inbox.SavedReply",
    ("created_by", "text"),
    reason="a reply template shared with the workspace; its creator shows as 'Deleted user'",
    period="until the workspace deletes it or is deleted",
)
keeps(
    "inbox.WebhookDelivery",
    ("body",),
    reason="an event the network sent, exactly as received, waiting to be processed",
    period="until processed (failed ones: 7 days)",
)


@receiver(person_deleted, dispatch_uid="inbox.person_deleted")
def anonymise_inbox_traces(sender: Any, user: User, **kwargs: Any) -> None:
    Message.objects.filter(author=user).update(sender_name=DELETED_NAME)
    Conversation.objects.filter(assignee=user).update(assignee=None)
    ReadMark.objects.filter(user=user).delete()
