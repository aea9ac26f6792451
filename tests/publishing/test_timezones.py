"""Wall-clock times in a workspace's zone against UTC, across daylight saving changes.

2026 changes: Europe/London springs forward on 29 March (01:00 → 02:00) and falls back on
25 October (02:00 → 01:00); America/New_York on 8 March (02:00 → 03:00) and 1 November
(02:00 → 01:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mixora.errors import UserFacingError
from publishing.timezones import day_bounds_utc, range_bounds_utc, to_local, to_utc

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def wall(*args: int) -> datetime:
    """A naive wall-clock time, as the composer reads it before placing it in a zone."""
    return datetime(*args)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("local", "tz_name"),
    [
        (wall(2026, 3, 29, 1, 30), LONDON),
        (wall(2026, 3, 29, 1, 0), LONDON),
        (wall(2026, 3, 8, 2, 30), NEW_YORK),
    ],
)
def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(local, tz_name):
    with pytest.raises(UserFacingError) as refused:
        to_utc(local, tz_name)
    message = str(refused.value)
    assert f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name}" in message
    assert "daylight saving time" in message
    assert "Choose another time" in message


def test_the_minutes_around_the_spring_forward_gap_exist():
    assert to_utc(wall(2026, 3, 29, 0, 59), LONDON) == utc(2026, 3, 29, 0, 59)
    assert to_utc(wall(2026, 3, 29, 2, 0), LONDON) == utc(2026, 3, 29, 1, 0)
    assert to_utc(wall(2026, 3, 8, 3, 0), NEW_YORK) == utc(2026, 3, 8, 7, 0)


@pytest.mark.parametrize(
    ("local", "tz_name", "first_occurrence"),
    [
        # 01:30 happens in BST (UTC+1) and again in GMT: the first one is meant.
        (wall(2026, 10, 25, 1, 30), LONDON, utc(2026, 10, 25, 0, 30)),
        # 01:30 happens in EDT (UTC-4) and again in EST (UTC-5).
        (wall(2026, 11, 1, 1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),
    ],
)
def test_an_ambiguous_fall_back_time_means_its_first_occurrence(local, tz_name, first_occurrence):
    assert to_utc(local, tz_name) == first_occurrence


def test_to_local_tells_the_two_occurrences_of_a_fall_back_time_apart():
    first = to_local(utc(2026, 10, 25, 0, 30), LONDON)
    second = to_local(utc(2026, 10, 25, 1, 30), LONDON)
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None) == wall(2026, 10, 25, 1, 30)
    assert (first.utcoffset(), first.tzname()) == (timedelta(hours=1), "BST")
    assert (second.utcoffset(), second.tzname()) == (timedelta(0), "GMT")


def test_to_utc_and_to_local_round_trip_on_ordinary_times():
    for tz_name in (LONDON, NEW_YORK):
        for local in (wall(2026, 1, 15, 9, 0), wall(2026, 7, 15, 9, 0)):
            assert to_local(to_utc(local, tz_name), tz_name).replace(tzinfo=None) == local


@pytest.mark.parametrize(
    ("day", "tz_name", "hours", "start"),
    [
        (date(2026, 3, 29), LONDON, 23, utc(2026, 3, 29, 0, 0)),
        (date(2026, 10, 25), LONDON, 25, utc(2026, 10, 24, 23, 0)),
        (date(2026, 6, 1), LONDON, 24, utc(2026, 5, 31, 23, 0)),
        (date(2026, 3, 8), NEW_YORK, 23, utc(2026, 3, 8, 5, 0)),
        (date(2026, 11, 1), NEW_YORK, 25, utc(2026, 11, 1, 4, 0)),
        (date(2026, 1, 15), NEW_YORK, 24, utc(2026, 1, 15, 5, 0)),
    ],
)
def test_day_bounds_are_23_or_25_hours_on_the_change_days(day, tz_name, hours, start):
    first, end = day_bounds_utc(day, tz_name)
    assert first == start
    assert end - first == timedelta(hours=hours)
    assert end == day_bounds_utc(day + timedelta(days=1), tz_name)[0]  # days tile, no gap


def test_range_bounds_span_local_midnight_to_local_midnight_across_a_change():
    start, end = range_bounds_utc(date(2026, 3, 28), date(2026, 3, 30), LONDON)
    assert (start, end) == (utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 23, 0))
    assert end - start == timedelta(hours=3 * 24 - 1)


def test_nine_in_the_morning_after_each_change_in_london():
    after_spring = to_utc(wall(2026, 3, 30, 9, 0), LONDON)
    after_autumn = to_utc(wall(2026, 10, 26, 9, 0), LONDON)
    assert after_spring == utc(2026, 3, 30, 8, 0)  # BST: UTC+1
    assert after_autumn == utc(2026, 10, 26, 9, 0)  # GMT: UTC+0
