"""Which text came from AI, and what became of it.

The composer sends a claim per AI draft the person used ("<generation id>:<field>", plus
":accepted" when they pressed Accept). On save, publishing calls `settle` with the saved texts:
a draft whose output is still in its field stays an "AI draft" until the person edits it or
accepts it; one whose output is gone was edited; one no longer claimed was discarded."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Workspace
from connections.models import ConnectedAccount
from connections.platforms.network import Network

from .models import AIGeneration

Status = AIGeneration.Status
_CLAIM = re.compile(r"(?P<id>\d{1,12}):(?P<field>[a-z_0-9]{1,40})(?P<accepted>:accepted)?")


def text_problems(network: Network) -> Callable[[str], list[str]]:
    """The network's own validation of typed text, without what no text could fix (a network
    that needs media says so for any text)."""
    always = set(network.check("", [], {}).problems)
    return lambda text: [p for p in network.check(text, [], {}).problems if p not in always]


def _plain(text: str) -> str:
    return " ".join(text.split())


def _unchanged(generation: AIGeneration, text: str, added: list[str]) -> bool:
    """Whether the field still holds the draft as written: hashtags are added to a text (so
    they need only be in it), anything else is the whole text, less added hashtags."""
    output = _plain(generation.output_text)
    if generation.purpose == AIGeneration.Purpose.HASHTAGS:
        return output in _plain(text)
    for tags in added:
        text = text.replace(tags, "")
    return output == _plain(text)


def _status(generation: AIGeneration, text: str, accepted: bool, added: list[str]) -> str:
    if generation.status == Status.EDITED or not _unchanged(generation, text, added):
        return Status.EDITED
    if accepted or generation.status == Status.ACCEPTED:
        return Status.ACCEPTED
    return Status.DRAFT


def settle(
    workspace: Workspace,
    subject: str,
    texts: Mapping[str, str],
    claims: list[str],
    *,
    sent: bool = False,
) -> None:
    """Tie the claimed drafts to `subject` and mark each by comparing it with the saved text
    of its field (`texts`: field name -> text as saved). `sent`: a person sent the text (a
    reply), which accepts a draft they did not change."""
    wanted: dict[int, tuple[str, bool]] = {}
    for claim in claims:
        match = _CLAIM.fullmatch(claim)
        if match and match["field"] in texts:
            wanted[int(match["id"])] = (match["field"], sent or bool(match["accepted"]))
    used = AIGeneration.objects.filter(workspace=workspace, pk__in=wanted).filter(
        Q(subject="") | Q(subject=subject)
    )
    used = list(used)
    added = {
        field: [g.output_text for g in used if wanted[g.pk][0] == field and g.purpose == "hashtags"]
        for field in texts
    }
    kept = []
    for generation in used:
        field, accepted = wanted[generation.pk]
        generation.subject, generation.used_in = subject, field
        generation.status = _status(generation, texts[field], accepted, added[field])
        generation.save(update_fields=["subject", "used_in", "status"])
        kept.append(generation.pk)
    AIGeneration.objects.filter(workspace=workspace, subject=subject, status=Status.DRAFT).exclude(
        pk__in=kept
    ).update(status=Status.DISCARDED)


def discard(generation: AIGeneration) -> None:
    if generation.status == Status.DRAFT and not generation.used_in:
        generation.status = Status.DISCARDED
        generation.save(update_fields=["status"])


def forget(subject: str) -> int:
    """Delete the drafts made for `subject` (its owner deleted it); how many went."""
    return AIGeneration.objects.filter(subject=subject).delete()[0]


def claims(workspace: Workspace, subject: str) -> list[AIGeneration]:
    """The drafts in use in `subject` (the composer re-sends their claims on every save)."""
    return list(
        AIGeneration.objects.filter(
            workspace=workspace,
            subject=subject,
            status__in=(Status.DRAFT, Status.ACCEPTED, Status.EDITED),
        ).order_by("pk")
    )


@dataclass(frozen=True)
class Source:
    field_label: str
    generation: AIGeneration


def sources(workspace: Workspace, subject: str) -> list[Source]:
    """Which text of `subject` came from AI, in words for the review page."""
    used = claims(workspace, subject)
    account_ids = [
        int(g.used_in.split("_", 1)[1]) for g in used if g.used_in.startswith("caption_")
    ]
    names = dict(
        ConnectedAccount.objects.filter(workspace=workspace, pk__in=account_ids).values_list(
            "pk", "display_name"
        )
    )
    result = []
    for generation in used:
        if generation.used_in.startswith("caption_"):
            name = names.get(int(generation.used_in.split("_", 1)[1]), "an account")
            label = f"Caption for {name}"
        else:
            label = "Shared text"
        result.append(Source(label, generation))
    return result
