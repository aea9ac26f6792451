"""Rules every way of choosing a publishing time shares (composer, schedule form, queue,
review, calendar moves): a chosen time must still be ahead. Going out at once is the
explicit "Post now" (`workflow.post_now`), never a time that has quietly passed.

Two decisions follow from it (publishing/workflow.py):
- A post whose time passed while it waited for review is not approved (approving would
  publish it at once, which nobody chose): the approver sends it back for a new time.
- "Post now" is for people who may schedule without review; someone who must get approval
  is refused it and submits the post with a time instead."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from mixora.errors import UserFacingError

from .timezones import to_local


def local_time(when: datetime, tz: str) -> str:
    """`when` as the person reads it in `tz`: "Tue 3 Dec, 14:00"."""
    local = to_local(when, tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def local_label(when: datetime, tz: str) -> str:
    """`when` with its zone named: "Tue 3 Dec, 14:00 in Europe/Paris"."""
    return f"{local_time(when, tz)} in {tz}"


def require_future(when: datetime, *, tz: str, now: datetime | None = None) -> None:
    """Refuse `when` (aware) unless it is after `now` (default: this instant); the message
    shows it in `tz`, the zone the person chose it in."""
    if when <= (now or timezone.now()):
        raise UserFacingError(
            f"That time has passed ({local_label(when, tz)}): choose a later time or use Post now."
        )
