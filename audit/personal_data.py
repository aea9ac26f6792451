"""The security log: exported for the person; when their account is deleted, their IP
address, browser and email address are erased from it and the events themselves are kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
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

from .models import AuditAction, AuditEvent


@export_section(120, models=("audit.AuditEvent",))
def audit_events(user: User, files: FileSink) -> Section:
    labels = dict(AuditAction.choices)

    def items() -> Iterator[dict[str, Any]]:
        events = AuditEvent.objects.filter(Q(actor=user) | Q(subject_user=user))
        for row in values(
            events.order_by("created_at", "pk"),
            "action",
            "ip_address",
            "user_agent",
            "details",
            "created_at",
            "actor_id",
            "subject_user_id",
            workspace_name=F("workspace__name"),
        ):
            actor, subject = row.pop("actor_id"), row.pop("subject_user_id")
            yield {
                "event": labels.get(row["action"], row["action"]),
                **row,
                "done_by_you": actor == user.pk,
                "about_you": subject == user.pk,
            }

    return Section(
        "security_log.json",
        "Our security and activity log about you: log-ins (and failed attempts), password "
        "and email changes, two-factor changes, and workspace events you took part in, with "
        "the IP address and browser recorded at the time.",
        {"events": items()},
    )


handles(
    "audit.AuditEvent",
    ("ip_address", "user_agent", "details"),
    "the person's IP address and browser are erased from events they did, and their "
    "address from any event naming it",
)
keeps(
    "audit.AuditEvent",
    ("actor", "subject_user"),
    reason="the security log keeps what happened (who did it shows as 'Deleted user', "
    "empty after the purge)",
    period="the audit log's retention period (AUDIT_LOG_RETENTION_DAYS, 180 days)",
)


@receiver(person_deleted, dispatch_uid="audit.person_deleted")
def erase_from_the_log(sender: Any, user: User, email: str, **kwargs: Any) -> None:
    AuditEvent.objects.filter(actor=user).update(ip_address=None, user_agent="")
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    naming = AuditEvent.objects.alias(text=Cast("details", TextField())).filter(
        text__icontains=email
    )
    for event in naming.only("details", "actor_id"):
        event.details = {
            key: pattern.sub(DELETED_NAME, value) if isinstance(value, str) else value
            for key, value in event.details.items()
        }
        if event.actor_id is None:  # a failed log-in as them: the IP may be theirs
            event.ip_address, event.user_agent = None, ""
        event.save(update_fields=["details", "ip_address", "user_agent"])
