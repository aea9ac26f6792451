"""Best times to post, learnt from an account's own published posts: engagement rate by
weekday × hour in the workspace's time zone, shrunk toward the account's average
(insights/shrinkage.py) so that an hour with one lucky post does not win.

Neighbouring hours of the week are pooled in at half weight when that predicts the account's
posts better: each post is predicted from the others (leave one out) with and without the
neighbours, and the smaller squared error wins. Audiences rarely switch on and off at the hour,
so a planted two-hour window is found from fewer posts; an account whose good hours really are
single hours keeps them sharp.

Until an account has MIN_POSTS posts with a rate, the pattern of the workspace's accounts of
the same network is shown instead (labelled as such); with too few there as well, nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing.timezones import to_utc

from .history import MIN_POSTS, Basis, basis
from .shrinkage import MIN_EVIDENCE, Prior, Tally, prior, tallies

HOURS_IN_WEEK = 7 * 24
# Weights of the neighbouring hours tried (0: no smoothing); the better predictor is used.
NEIGHBOUR_WEIGHTS = (0.0, 0.5)
MAX_BEST = 3
WINDOW_GAP = 3
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 = Monday
    hour: int
    posts: int  # posts published in this hour of the week (of the basis: account or network)
    rate: float | None  # shrunk (and maybe smoothed) engagement rate; None without any data
    # "low" | "medium" | "high": shrinkage.Prior.confidence of the pooled posts, and "low" for
    # an hour with fewer than MIN_EVIDENCE posts of its own, whatever its neighbours say.
    confidence: str

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.hour:02d}:00"


@dataclass(frozen=True)
class BestTimes:
    source: str  # "account" | "network" (the workspace's accounts on the same network) | "none"
    posts: int  # the account's own posts with a rate (its progress toward `needed`)
    needed: int
    average_rate: float | None  # of the posts the pattern is based on
    cells: list[Cell]  # 7 * 24, weekday-major
    best: list[Cell]  # up to MAX_BEST windows above average, best first (see _best)
    message: str


def best_times(account: ConnectedAccount) -> BestTimes:
    """The account's best hours of the week (one aggregate query; two while it falls back)."""
    found = basis(account, _by_hour)
    if found.source == "none":
        empty = [Cell(i // 24, i % 24, 0, None, "low") for i in range(HOURS_IN_WEEK)]
        return BestTimes("none", found.own_posts, MIN_POSTS, None, empty, [], found.message)
    return _pattern(found)


def suggest_time(account: ConnectedAccount, after: datetime) -> tuple[datetime, BestTimes] | None:
    """The first start of one of the best windows after `after`, in the workspace's zone;
    None when there is no pattern to go by."""
    found = best_times(account)
    window = first_window(found, after, account.workspace.timezone)
    return (window[0], found) if window else None


def first_window(found: BestTimes, after: datetime, tz_name: str) -> tuple[datetime, Cell] | None:
    """The earliest start of one of `found.best` strictly after `after` (aware, in `tz_name`),
    with its cell."""
    local_after = after.astimezone(ZoneInfo(tz_name))
    starts = [
        (moment, cell)
        for cell in found.best
        if (moment := _next_occurrence(cell, local_after, tz_name)) is not None
    ]
    return min(starts, key=lambda start: start[0]) if starts else None


def _next_occurrence(cell: Cell, after: datetime, tz_name: str) -> datetime | None:
    """The next `cell.weekday` at `cell.hour`:00 strictly after `after` (aware, local)."""
    days = (cell.weekday - after.weekday()) % 7
    for extra in (0, 7, 14):
        day = after.date() + timedelta(days=days + extra)
        try:
            moment = to_utc(datetime.combine(day, time(cell.hour)), tz_name)
        except UserFacingError:
            continue  # inside a daylight saving gap that day
        local = moment.astimezone(after.tzinfo)
        if local > after:
            return local
    return None


def _by_hour(insights: QuerySet) -> dict[int, Tally]:
    """Hour of the week (weekday * 24 + hour) -> the tally of its posts."""
    return {
        weekday * 24 + hour: tally
        for (weekday, hour), tally in tallies(insights, "local_weekday", "local_hour").items()
    }


def _pattern(found: Basis[int]) -> BestTimes:
    by_hour = found.groups
    base = prior(by_hour.values())
    assert base is not None  # noqa: S101 (callers checked there are posts)
    weight = min(NEIGHBOUR_WEIGHTS, key=lambda w: _leave_one_out_error(by_hour, base, w))
    cells = []
    for index in range(HOURS_IN_WEEK):
        pooled = _pooled(by_hour, index, weight)
        own = by_hour.get(index, Tally())
        cells.append(
            Cell(
                index // 24,
                index % 24,
                int(own.n),
                base.shrink(pooled),
                base.confidence(pooled) if own.n >= MIN_EVIDENCE else "low",
            )
        )
    best = _best(cells, base)
    return BestTimes(
        found.source, found.own_posts, MIN_POSTS, base.mean, cells, best, found.message
    )


def _pooled(by_hour: dict[int, Tally], index: int, weight: float) -> Tally:
    own = by_hour.get(index, Tally())
    if not weight:
        return own
    before = by_hour.get((index - 1) % HOURS_IN_WEEK, Tally())
    after = by_hour.get((index + 1) % HOURS_IN_WEEK, Tally())
    return own + (before + after).scaled(weight)


def _leave_one_out_error(by_hour: dict[int, Tally], base: Prior, weight: float) -> float:
    """Σ over posts of (rate − its cell's shrunk rate without that post)², from the tallies:
    with A = the cell's pooled sum + k·mean and B = its pooled count − 1 + k, a post y is
    predicted (A − y) / B, and the sum over the cell's posts expands to the form below."""
    error = 0.0
    for index, own in by_hour.items():
        pooled = _pooled(by_hour, index, weight)
        a = pooled.total + base.k * base.mean
        b = pooled.n - 1 + base.k
        scale = (b + 1) / b
        error += scale * scale * own.squares - 2 * scale * a * own.total / b + own.n * (a / b) ** 2
    return error


def _best(cells: list[Cell], base: Prior) -> list[Cell]:
    """The highest cells above the average that have posts, at medium confidence or better
    (when none is, only the top one with MIN_EVIDENCE posts of its own, at low), each at
    least WINDOW_GAP hours from a chosen one: Tue 13:00 and Tue 14:00 are one window, and
    smoothing lifts the hours around it too."""
    above = sorted(
        (c for c in cells if c.posts and c.rate is not None and c.rate > base.mean),
        key=lambda c: c.rate,
        reverse=True,
    )
    ranked = [c for c in above if c.confidence != "low"] or [
        c for c in above if c.posts >= MIN_EVIDENCE
    ][:1]
    chosen: list[Cell] = []
    for cell in ranked:
        if any(_hours_apart(cell, c) < WINDOW_GAP for c in chosen):
            continue
        chosen.append(cell)
        if len(chosen) == MAX_BEST:
            break
    return chosen


def _hours_apart(one: Cell, other: Cell) -> int:
    """Around the week: Sunday 23:00 and Monday 00:00 are an hour apart."""
    gap = abs((one.weekday * 24 + one.hour) - (other.weekday * 24 + other.hour))
    return min(gap, HOURS_IN_WEEK - gap)
