"""The target state machine, written down once. Every change of state is a conditional
UPDATE from the states listed here, so two workers can never both move one target."""

from __future__ import annotations

from typing import Any

from .models import PostTarget

S = PostTarget.State

# state -> the states it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SCHEDULED}),
    S.SCHEDULED: frozenset({S.QUEUED, S.DRAFT, S.EXPIRED}),
    S.QUEUED: frozenset({S.PUBLISHING, S.SCHEDULED, S.DRAFT, S.EXPIRED}),
    # A retry goes back to SCHEDULED with a later due time; a lost worker's lease too.
    # DRAFT: the post left the schedule between the claim and the platform call.
    S.PUBLISHING: frozenset({S.PUBLISHED, S.SCHEDULED, S.FAILED, S.NEEDS_ATTENTION, S.DRAFT}),
    S.FAILED: frozenset({S.SCHEDULED, S.DRAFT, S.EXPIRED}),
    S.NEEDS_ATTENTION: frozenset({S.SCHEDULED, S.DRAFT, S.EXPIRED}),
    S.PUBLISHED: frozenset(),
    S.EXPIRED: frozenset(),
}
EDITABLE = frozenset({S.DRAFT, S.SCHEDULED, S.FAILED, S.NEEDS_ATTENTION})


def sources_of(target_state: str) -> list[str]:
    return [state for state, allowed in TRANSITIONS.items() if target_state in allowed]


def move(target_id: int, to: str, *, only_from: list[str] | None = None, **fields: Any) -> bool:
    """Move one target to `to` if it is in a state that may go there (optionally narrowed to
    `only_from`). Returns False, changing nothing, when it is not."""
    allowed = sources_of(to)
    if only_from is not None:
        illegal = set(only_from) - set(allowed)
        if illegal:
            raise ValueError(f"{sorted(illegal)} may not move to {to}")
        allowed = list(only_from)
    updated = PostTarget.objects.filter(pk=target_id, state__in=allowed).update(state=to, **fields)
    return updated == 1
