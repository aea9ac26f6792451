"""The team's working state of a conversation: who has it, where it stands, its labels,
and who has read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from accounts.roles import Capability
from mixora.errors import UserFacingError
from notifications.models import Notification

from .models import Conversation, Label, ReadMark


def _touch(conversation: Conversation, **fields: object) -> None:
    for name, value in fields.items():
        setattr(conversation, name, value)
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=[*fields, "updated_at"])


def assign(conversation: Conversation, assignee_id: int | None, actor: User) -> None:
    if assignee_id is None:
        _touch(conversation, assignee=None)
        return
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace_id=conversation.workspace_id, user_id=assignee_id)
        .first()
    )
    if membership is None or not membership.can(Capability.INBOX_REPLY):
        raise UserFacingError("Choose a teammate who can answer the inbox.")
    with transaction.atomic():
        _touch(conversation, assignee=membership.user)
        if membership.user_id != actor.pk:
            Notification.objects.create(
                user=membership.user,
                workspace_id=conversation.workspace_id,
                message=f"{actor.display_name} assigned you a conversation with "
                f"{conversation.participant_name or 'a customer'}."[:300],
                url=reverse(
                    "inbox_conversation", args=[conversation.workspace.slug, conversation.pk]
                ),
            )


def set_status(
    conversation: Conversation, status: str, snoozed_until: datetime | None = None
) -> None:
    if status not in Conversation.Status.values:
        raise UserFacingError("Choose a status.")
    if status == Conversation.Status.SNOOZED:
        if snoozed_until is None or snoozed_until <= timezone.now():
            raise UserFacingError("Choose when the snooze ends, in the future.")
        _touch(conversation, status=status, snoozed_until=snoozed_until)
    else:
        _touch(conversation, status=status, snoozed_until=None)


def change_labels(
    conversation: Conversation, shown: list[int], checked: list[int], new_name: str = ""
) -> None:
    """Apply what the person saw and chose: of the labels `shown` to them, the `checked` ones
    are on and the others off; labels they did not see (a teammate's meanwhile) stay as they
    are. A `new_name` creates that label if needed and puts it on."""
    wanted = set(shown) | set(checked)
    labels = {
        label.pk: label
        for label in Label.objects.filter(workspace_id=conversation.workspace_id, pk__in=wanted)
    }
    if len(labels) != len(wanted):
        raise UserFacingError("Choose labels of this workspace.")
    with transaction.atomic():
        on = [labels[pk] for pk in set(checked)]
        if new_name.strip():
            on.append(create_label(conversation.workspace_id, new_name))
        conversation.labels.remove(*[labels[pk] for pk in set(shown) - set(checked)])
        conversation.labels.add(*on)
        _touch(conversation)


def create_label(workspace_id: int, name: str) -> Label:
    name = " ".join(name.split())[:40]
    if not name:
        raise UserFacingError("Give the label a name.")
    label, _ = Label.objects.get_or_create(workspace_id=workspace_id, name=name)
    return label


@dataclass(frozen=True)
class Resolved:
    """What marking a conversation done changed, so it can be undone exactly."""

    conversation_id: int
    status: str
    snoozed_until: datetime | None


def resolve(conversation: Conversation) -> Resolved:
    """Mark the conversation done (resolved); what it was before, for undo."""
    before = Resolved(conversation.pk, conversation.status, conversation.snoozed_until)
    set_status(conversation, Conversation.Status.RESOLVED)
    return before


def undo_resolve(conversation: Conversation, before: Resolved) -> None:
    """Put back the status the conversation had before it was marked done, if nothing moved it
    since (a new customer message reopens it: then there is nothing to undo)."""
    if before.conversation_id != conversation.pk:
        raise UserFacingError("Nothing to undo for this conversation.")
    if conversation.status != Conversation.Status.RESOLVED:
        raise UserFacingError("It changed since you marked it done; nothing was undone.")
    snoozed_until = before.snoozed_until
    if before.status == Conversation.Status.SNOOZED and (
        snoozed_until is None or snoozed_until <= timezone.now()
    ):
        # The snooze ended meanwhile: it would have woken up.
        _touch(conversation, status=Conversation.Status.OPEN, snoozed_until=None)
        return
    _touch(conversation, status=before.status, snoozed_until=snoozed_until)


def mark_read(conversation: Conversation, user: User) -> None:
    ReadMark.objects.update_or_create(
        conversation=conversation, user=user, defaults={"read_at": timezone.now()}
    )


def mark_unread(conversation: Conversation, user: User) -> None:
    ReadMark.objects.filter(conversation=conversation, user=user).delete()
