"""Posting slots: "Add to queue" picks the next free slot of the chosen accounts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import Workspace
from mixora.errors import UserFacingError

from .models import PostingSlot, PostTarget
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
