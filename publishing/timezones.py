"""Times are chosen in the workspace's time zone and stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mixora.errors import UserFacingError


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A naive wall-clock time in `tz_name` as an aware UTC datetime.

    A time that does not exist (clocks jump forward) is refused; a time that happens twice
    (clocks go back) means its first occurrence."""
    zone = ZoneInfo(tz_name)
    aware = local.replace(tzinfo=zone, fold=0)
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:
        raise UserFacingError(
            f"{local:%Y-%m-%d %H:%M} is too far away: choose a time between year 1 and 9999."
        ) from None
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        raise UserFacingError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name}: the clocks skip it "
            "(daylight saving time). Choose another time."
        )
    return utc


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def day_bounds_utc(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC; 23 or 25 hours long on DST days."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def range_bounds_utc(first: date, last: date, tz_name: str) -> tuple[datetime, datetime]:
    return day_bounds_utc(first, tz_name)[0], day_bounds_utc(last, tz_name)[1]
