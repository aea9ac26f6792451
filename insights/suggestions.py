"""What the composer's "Suggest a time" and the "Add as posting slots" button do with an
account's best times (insights/best_times.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction

from connections.models import ConnectedAccount
from publishing.models import PostingSlot

from .best_times import BestTimes, Cell, best_times, first_window
from .history import posts

DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@dataclass(frozen=True)
class Suggestion:
    time: datetime | None  # aware, in the workspace's zone; None: nothing to suggest
    cell: Cell | None
    reason: str
    source: str


def suggest(account: ConnectedAccount, after: datetime) -> Suggestion:
    """The next best window after `after`, and why (or why there is none)."""
    found = best_times(account)
    window = first_window(found, after, account.workspace.timezone)
    if window is None:
        if found.source == "none":
            return Suggestion(None, None, found.message, found.source)
        return Suggestion(
            None, None, f"No hour of the week stands out yet. {found.message}", found.source
        )
    moment, cell = window
    return Suggestion(moment, cell, f"{why(cell, found)} {found.message}", found.source)


def why(cell: Cell, found: BestTimes) -> str:
    """ "Tuesdays at 14:00 get +42 % engagement (6 posts, high confidence).\""""
    lift = round((cell.rate / found.average_rate - 1) * 100) if found.average_rate else 0
    return (
        f"{DAYS[cell.weekday]} at {cell.hour:02d}:00 get {lift:+d} % engagement "
        f"({posts(cell.posts)}, {cell.confidence} confidence)."
    )


@dataclass(frozen=True)
class SlotsAdded:
    added: list[Cell]
    existing: list[Cell]
    found: BestTimes


def add_best_slots(account: ConnectedAccount) -> SlotsAdded:
    """Make each best window a posting slot of the account (those it has already stay)."""
    found = best_times(account)
    with transaction.atomic():
        had = set(PostingSlot.objects.filter(account=account).values_list("weekday", "time"))
        added = [c for c in found.best if (c.weekday, time(c.hour)) not in had]
        PostingSlot.objects.bulk_create(
            [PostingSlot(account=account, weekday=c.weekday, time=time(c.hour)) for c in added],
            ignore_conflicts=True,  # a slot someone added meanwhile
        )
    existing = [c for c in found.best if c not in added]
    return SlotsAdded(added, existing, found)
