"""AI drafts are content: a person's prompts and outputs are exported like their drafts. When
the person is deleted, the generations nobody used go at once; those that became part of the
workspace's posts or replies stay with it (the person shows as gone), like drafts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F
from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import FileSink, Section, export_section, keeps, person_deleted, values

from .models import AIGeneration
from .retention import UNUSED


@export_section(45, models=("assistant.AIGeneration",))
def ai_generations(user: User, files: FileSink) -> Section:
    return Section(
        "ai_drafts.json",
        "What you asked the AI drafts for (your brief or draft; for a reply suggestion the "
        "conversation sent is left out, as it holds the customer's messages) and what they "
        "wrote, with what became of each draft (AI draft, used as written, edited, discarded) "
        "and what it was used in.",
        {"generations": _generations(user)},
    )


def _generations(user: User) -> Iterator[dict]:
    rows = values(
        AIGeneration.objects.filter(user=user).order_by("created_at", "pk"),
        "purpose",
        "network",
        "input_text",
        "output_text",
        "status",
        "subject",
        "model",
        "created_at",
        workspace_name=F("workspace__name"),
    )
    for row in rows:
        if row["purpose"] == AIGeneration.Purpose.REPLY:
            row["input_text"] = None  # the customer's words, not the person's
        yield row


keeps(
    "assistant.AIGeneration",
    ("user", "input_text", "output_text"),
    reason="an AI draft a person used became part of the workspace's post or reply (drafts "
    "nobody used are deleted with the account)",
    period="until the workspace deletes the post or conversation, or is deleted (then 30 days)",
)


@receiver(person_deleted, dispatch_uid="assistant.person_deleted")
def delete_unused(sender: Any, user: User, **kwargs: Any) -> None:
    AIGeneration.objects.filter(UNUSED, user=user).delete()
