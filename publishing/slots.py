"""Posting slots: "Add to queue" picks the next free slot of the chosen accounts."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Workspace
from mixora.errors import UserFacingError

from .models import PostingSlot, PostTarget
from .schedule_rules import require_future
from .timezones import to_local, to_utc

HORIZON_DAYS = 28


def next_free_slot(
    workspace: Workspace, account_ids: list[int], after: datetime | None = None
) -> datetime:
    """The earliest slot (UTC) of any chosen account, after `after`, at which none of the
    chosen accounts already has a post. Looks four weeks ahead."""
    after = after or timezone.now()
    slots = list(
        PostingSlot.objects.filter(
            account_id__in=account_ids, account__workspace=workspace
        ).values_list("weekday", "time")
    )
    if not slots:
        raise UserFacingError(
            "None of the chosen accounts has posting slots yet: add some "
            "under Posts → Posting slots, or pick a time."
        )
    taken = set(
        PostTarget.objects.filter(
            account_id__in=account_ids,
            due_at__gte=after,
            due_at__lt=after + timedelta(days=HORIZON_DAYS + 1),
        )
        .exclude(state__in=[PostTarget.State.DRAFT, PostTarget.State.EXPIRED])
        .values_list("due_at", flat=True)
    )
    start: date = to_local(after, workspace.timezone).date()
    candidates = []
    for offset in range(HORIZON_DAYS + 1):
        day = start + timedelta(days=offset)
        for weekday, at in slots:
            if day.weekday() != weekday:
                continue
            try:
                moment = to_utc(datetime.combine(day, at), workspace.timezone)
            except UserFacingError:
                continue  # a slot inside a DST gap does not exist that day
            if moment > after and moment not in taken:
                candidates.append(moment)
        if candidates:
            return min(candidates)
    raise UserFacingError("Every slot of the next four weeks is taken: pick a time instead.")


def parse_times(text: str) -> list[time]:
    """ "09:00, 12:30 17:00" -> the distinct times in order; refuses anything that is not H:MM
    or HH:MM on a 24-hour clock, naming it."""
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    if not words:
        raise UserFacingError("Write at least one time, e.g. 09:00, 12:30, 17:00.")
    times: list[time] = []
    for word in words:
        try:
            parsed = datetime.strptime(word, "%H:%M").time()  # noqa: DTZ007 - a wall-clock time
        except ValueError:
            raise UserFacingError(
                f"“{word}” is not a time: write 24-hour times as HH:MM, e.g. 09:00, 12:30, 17:00."
            ) from None
        if parsed not in times:
            times.append(parsed)
    return times


def add_slots(account_ids: list[int], weekdays: list[int], times: list[time]) -> tuple[int, int]:
    """Every (account, weekday, time) combination as a slot; those that exist are skipped.
    Returns (added, skipped). The accounts must already be the workspace's own."""
    wanted = {(a, d, t) for a in account_ids for d in weekdays for t in times}
    existing = set(
        PostingSlot.objects.filter(account_id__in=account_ids).values_list(
            "account_id", "weekday", "time"
        )
    )
    new = [PostingSlot(account_id=a, weekday=d, time=t) for a, d, t in sorted(wanted - existing)]
    # ignore_conflicts: one added by someone else meanwhile is skipped, not an error.
    PostingSlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(wanted) - len(new)


def initial_at(value: str | None, tz_name: str) -> dict[str, datetime]:
    """The composer's time from a calendar slot (`?at=2026-12-08T14:00`, local): kept only
    when it is a real, future time in the zone; anything else leaves the field empty."""
    try:
        local = datetime.strptime(value or "", "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - wall clock
        require_future(to_utc(local, tz_name), tz=tz_name)
    except (ValueError, UserFacingError):
        return {}
    return {"scheduled_local": local}
