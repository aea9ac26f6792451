"""When a privacy request must be answered.

- EEA/EU (GDPR Art. 12(3)) and UK (UK GDPR): one calendar month from receipt, extendable once
  by two further months, with reasons, told to the person within the first month.
- California (CPRA, Cal. Code Regs. tit. 11 §7021): 45 calendar days from receipt, extendable
  once by 45 more, with notice and an explanation.
- Elsewhere: Mixora's own promise, 30 days, extendable once by 30 with a reason.

Every due date counts from the day the request was received (the email confirmation, the
filing when logged in, or the day an emailed request arrived, as support enters it); an
extension counts from the same day, not from the first due date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import PrivacyRequest

Jurisdiction = PrivacyRequest.Jurisdiction

# "Due within 7 days" in the support queue.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Clock:
    months: int = 0
    days: int = 0
    extra_months: int = 0
    extra_days: int = 0
    extension_label: str = ""


CLOCKS: dict[str, Clock] = {
    Jurisdiction.EEA: Clock(months=1, extra_months=2, extension_label="two months"),
    Jurisdiction.UK: Clock(months=1, extra_months=2, extension_label="two months"),
    Jurisdiction.CALIFORNIA: Clock(days=45, extra_days=45, extension_label="45 days"),
    Jurisdiction.OTHER: Clock(days=30, extra_days=30, extension_label="30 days"),
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last day (Jan 31 + 1
    month = Feb 28 or 29), as the ICO counts a calendar month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def received_on(received_at: datetime) -> date:
    return timezone.localdate(received_at)


def start_of(day: date) -> datetime:
    """The moment `day` begins in Mixora's time zone: received_on() of it is `day` again."""
    return timezone.make_aware(datetime.combine(day, time.min))


def due_date(jurisdiction: str, received: date) -> date:
    clock = CLOCKS[jurisdiction]
    return add_months(received, clock.months) + timedelta(days=clock.days)


def extended_due_date(jurisdiction: str, received: date) -> date:
    clock = CLOCKS[jurisdiction]
    months = clock.months + clock.extra_months
    return add_months(received, months) + timedelta(days=clock.days + clock.extra_days)


def extension_label(jurisdiction: str) -> str:
    return CLOCKS[jurisdiction].extension_label


def due_state(due: date | None, today: date) -> str:
    """ "overdue", "soon" (within DUE_SOON_DAYS) or "later"; "" without a due date."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return "later"
