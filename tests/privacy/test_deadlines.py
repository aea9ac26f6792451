"""Due dates per jurisdiction, calendar-month edge cases, and the due-date states."""

from __future__ import annotations

from datetime import date

import pytest

from privacy import deadlines
from privacy.models import PrivacyRequest

J = PrivacyRequest.Jurisdiction


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # no Feb 31: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 30), 1, date(2027, 2, 28)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
        (date(2027, 12, 31), 1, date(2028, 1, 31)),  # across the year
        (date(2027, 9, 3), 1, date(2027, 10, 3)),  # the ICO's own example
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 1, 31), 3, date(2027, 4, 30)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_months_last_day(start, months, expected):
    assert deadlines.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("jurisdiction", "received", "due", "extended"),
    [
        # GDPR / UK GDPR: one calendar month, extension to three months from receipt.
        (J.EEA, date(2027, 1, 31), date(2027, 2, 28), date(2027, 4, 30)),
        (J.UK, date(2027, 1, 31), date(2027, 2, 28), date(2027, 4, 30)),
        (J.EEA, date(2027, 5, 15), date(2027, 6, 15), date(2027, 8, 15)),
        (J.UK, date(2027, 12, 31), date(2028, 1, 31), date(2028, 3, 31)),
        # CPRA: 45 calendar days, then 45 more.
        (J.CALIFORNIA, date(2027, 1, 31), date(2027, 3, 17), date(2027, 5, 1)),
        (J.CALIFORNIA, date(2027, 12, 1), date(2028, 1, 15), date(2028, 2, 29)),
        # Elsewhere: 30 days, then 30 more.
        (J.OTHER, date(2027, 1, 31), date(2027, 3, 2), date(2027, 4, 1)),
    ],
)
def test_due_and_extended_due_dates_per_jurisdiction(jurisdiction, received, due, extended):
    assert deadlines.due_date(jurisdiction, received) == due
    assert deadlines.extended_due_date(jurisdiction, received) == extended


def test_every_jurisdiction_has_a_clock_with_an_extension():
    for jurisdiction in J.values:
        received = date(2027, 6, 1)
        assert deadlines.extended_due_date(jurisdiction, received) > deadlines.due_date(
            jurisdiction, received
        )
        assert deadlines.extension_label(jurisdiction)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, ""),
        (date(2027, 6, 9), "overdue"),
        (date(2027, 6, 10), "soon"),  # due today is not late yet
        (date(2027, 6, 17), "soon"),  # the seventh day
        (date(2027, 6, 18), "later"),
    ],
)
def test_due_state(due, state):
    assert deadlines.due_state(due, date(2027, 6, 10)) == state
