"""Support tickets: exported for the person who wrote them (by account or address) and
deleted with their account: the policy promises their details are erased."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    handles,
    person_deleted,
    values,
)

from .models import SupportTicket


def _theirs(user: User, email: str) -> Q:
    return Q(user=user) | Q(email__iexact=email)


@export_section(110, models=("support.SupportTicket",))
def support_tickets(user: User, files: FileSink) -> Section:
    def items() -> Iterator[dict[str, Any]]:
        for row in values(
            SupportTicket.objects.filter(_theirs(user, user.email)).order_by("created_at", "pk"),
            "id",
            "name",
            "email",
            "topic",
            "subject",
            "message",
            "status",
            "staff_notes",
            "created_at",
            "updated_at",
        ):
            yield {"reference": f"MX-{row.pop('id'):06d}", **row}

    return Section(
        "support_tickets.json",
        "Messages you sent to Mixora support, their status, and the notes our support team "
        "wrote while handling them.",
        {"tickets": items()},
    )


handles(
    "support.SupportTicket",
    ("name", "email", "message", "user", "staff_notes"),
    "tickets from the person's account or address are deleted at once",
)


@receiver(person_deleted, dispatch_uid="support.person_deleted")
def delete_tickets(sender: Any, user: User, email: str, **kwargs: Any) -> None:
    SupportTicket.objects.filter(_theirs(user, email)).delete()
