"""The content calendar: a month or a week of posts, laid out in the workspace's time zone.

Posts are placed on the local day of their `scheduled_at` (in the week, in its local hour
too); the shown range is computed in UTC from local midnights, so a day on which the clocks
change is 23 or 25 hours long. Each box (a month's day, an hour of the week grid) shows its
first few posts and "+N more" (publishing.calendar_posts). The page costs a fixed number of
queries: the accounts (filter list and validation), the paused queues, the counts per box, the
posts shown, their targets with accounts, plus the app shell's own. Dragging a post to another
slot posts to `move` (publishing.moving's rules)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from mixora.templatetags.rows import truncated, url_maker

from .. import moving
from ..calendar_posts import Box, Shown, Target, shown_posts
from ..models import Post, PostTarget
from ..queue import paused_account_ids
from ..states import EDITABLE
from ..timezones import to_local, to_utc
from .rows import Mark, marks

MONTH, WEEK = "month", "week"
MONTH_DAYS = 42  # six Monday-first weeks: always room for the whole month
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_STARTS = 8  # the week grid opens scrolled to 08:00 when no post is earlier
SLOT_FORMAT = "%Y-%m-%dT%H:%M"  # a local time in links and drops: ?at=, the move's `to`
# Posts shown per box; the rest are counted ("+N more"). A month day shows three on a wide
# screen (as before), and its "+N more" opens the day's week.
MONTH_SHOWN, WEEK_SHOWN = 3, 2
STAGE_LABELS = dict(Post.Stage.choices)


class CalendarForm(forms.Form):
    """The query string. Each invalid value falls back to its default on its own."""

    view = forms.ChoiceField(choices=[(MONTH, "Month"), (WEEK, "Week")], required=False)
    date = forms.DateField(input_formats=["%Y-%m-%d"], required=False)
    account = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    state = forms.ChoiceField(choices=PostTarget.State.choices, required=False)

    def __init__(self, data: QueryDict, *, accounts: list[ConnectedAccount]) -> None:
        super().__init__(data)
        # Only this workspace's accounts are valid: another workspace's id is ignored.
        self.fields["account"].choices = [(a.pk, str(a)) for a in accounts]

    def clean_date(self) -> dt.date | None:
        day = self.cleaned_data["date"]
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError("Out of the calendar's range.")
        return day

    def value(self, name: str, default: Any) -> Any:
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


@dataclass(frozen=True)
class Entry:
    """A post as a calendar box shows it, its text, links and dates made once in Python."""

    post: Post
    date: dt.date  # its local day
    time: str  # HH:MM in the workspace's time zone
    hour: int  # its local hour, the row of the week grid
    movable: bool  # nothing of it is publishing or published
    paused: bool  # one of its accounts' queue is paused
    url: str  # the post's page
    move_url: str  # where a drop posts
    seen: str  # scheduled_at as stored (UTC), what a drop sends back
    iso: str  # scheduled_at in the current time zone, for <time datetime>
    text: str  # truncated to 160 characters, or "Untitled post"
    stage_label: str
    marks: list[Mark]


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    entries: list[Entry]  # the first MONTH_SHOWN (week view: WEEK_SHOWN of each hour)
    total: int  # every post of the day
    url: str  # the week view of this day, with the same filters
    compose_at: str  # the composer's start time for a "+" on this day ("": not offered)
    # Its labels, formatted once (the grid shows the day in every hour's cell).
    iso: str  # 2026-09-11
    long: str  # Friday 11 September
    dow: str  # Fri
    num: str  # 11
    mon: str  # Sep
    month: str  # September

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class Slot:
    """One hour of one day in the week grid."""

    day: Day
    hour: int
    entries: list[Entry]
    more: int  # the hour's posts not shown
    compose_at: str  # the hour's start, local ("" when it has begun or does not exist)
    now_quarter: int | None  # which quarter of the hour it is now, in the hour holding now


@dataclass(frozen=True)
class HourRow:
    hour: int
    label: str
    slots: list[Slot]


def shown_days(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """First and last local day shown for `anchor`: its Monday-first week, or the six
    weeks that cover its month."""
    if view == WEEK:
        first = anchor - dt.timedelta(days=anchor.weekday())
        return first, first + dt.timedelta(days=6)
    month_start = anchor.replace(day=1)
    first = month_start - dt.timedelta(days=month_start.weekday())
    return first, first + dt.timedelta(days=MONTH_DAYS - 1)


def step(view: str, anchor: dt.date, direction: int) -> dt.date:
    """The anchor of the next (+1) or previous (-1) week or month."""
    if view == WEEK:
        return anchor + dt.timedelta(weeks=direction)
    months = anchor.year * 12 + anchor.month - 1 + direction
    return dt.date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class _Rows:
    """What every entry of one page shares."""

    tz_name: str
    paused: set[int]
    post_url: Callable[[int], str]
    move_url: Callable[[int], str]


def _entry(post: Post, targets: list[Target], rows: _Rows) -> Entry:
    local = to_local(post.scheduled_at, rows.tz_name)
    movable = post.stage not in (Post.Stage.PUBLISHED, Post.Stage.EXPIRED) and all(
        t.state in EDITABLE for t in targets
    )
    on_paused = any(
        t.account_id in rows.paused and t.state == PostTarget.State.SCHEDULED for t in targets
    )
    return Entry(
        post,
        local.date(),
        f"{local:%H:%M}",
        local.hour,
        movable,
        on_paused,
        rows.post_url(post.pk),
        rows.move_url(post.pk),
        post.scheduled_at.isoformat(),
        timezone.localtime(post.scheduled_at).isoformat(),
        truncated(post.text, 160) or "Untitled post",
        STAGE_LABELS.get(post.stage, post.stage),
        marks(targets),
    )


def _by_local_day(shown: Shown, rows: _Rows) -> dict[dt.date, list[Entry]]:
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for post in shown.posts:  # already in time order
        entry = _entry(post, shown.targets[post.pk], rows)
        days[entry.date].append(entry)
    return days


def _starts_later(day: dt.date, hour: int, tz_name: str, now: dt.datetime) -> bool:
    """Whether the local hour exists and has not begun: only such hours are offered."""
    try:
        return to_utc(dt.datetime.combine(day, dt.time(hour)), tz_name) > now
    except UserFacingError:
        return False  # skipped by the clocks (daylight saving time)


def _compose_at(day: dt.date, hour: int, tz_name: str, now: dt.datetime) -> str:
    if not _starts_later(day, hour, tz_name, now):
        return ""
    return dt.datetime.combine(day, dt.time(hour)).strftime(SLOT_FORMAT)


def _day_compose_at(day: dt.date, tz_name: str, now: dt.datetime) -> str:
    """A month day's "+": 09:00 on a later day; today, the next hour that has not begun."""
    for hour in [9] if day > to_local(now, tz_name).date() else range(24):
        if _starts_later(day, hour, tz_name, now):
            return _compose_at(day, hour, tz_name, now)
    return ""


def _hours(
    days: list[Day], counts: dict[Box, int], tz_name: str, now: dt.datetime
) -> list[HourRow]:
    """The week grid: 24 local hours, each with the seven days' slots."""
    local_now = to_local(now, tz_name)
    rows = []
    for hour in range(24):
        slots = []
        for day in days:
            here = day.is_today and local_now.hour == hour
            entries = [e for e in day.entries if e.hour == hour]
            slots.append(
                Slot(
                    day,
                    hour,
                    entries,
                    counts.get((day.date, hour), 0) - len(entries),
                    _compose_at(day.date, hour, tz_name, now),
                    local_now.minute // 15 if here else None,
                )
            )
        rows.append(HourRow(hour, f"{hour:02d}:00", slots))
    return rows


def _scroll_hour(days: list[Day]) -> int:
    """The first hour shown: an hour before the week's earliest post, at most 08:00."""
    hours = [e.hour for day in days for e in day.entries]
    return max(0, min([DAY_STARTS, *[h - 1 for h in hours]]))


def _title(view: str, anchor: dt.date, first: dt.date, last: dt.date) -> str:
    if view == MONTH:
        return date_format(anchor, "F Y")
    start = "j M Y" if first.year != last.year else "j M" if first.month != last.month else "j"
    return f"{date_format(first, start)} – {date_format(last, 'j M Y')}"


@workspace_view()
@require_safe
def calendar(request: WorkspaceRequest) -> HttpResponse:
    tz_name = request.workspace.timezone
    now = timezone.now()
    today = to_local(now, tz_name).date()
    accounts = list(request.workspace.connected_accounts.all())
    form = CalendarForm(request.GET, accounts=accounts)
    view = form.value("view", MONTH)
    anchor = form.value("date", today)
    account = form.value("account", None)
    state = form.value("state", "")

    def link(mode: str, day: dt.date | None = None) -> str:
        """This page's query string for `mode` and `day`, keeping the filters."""
        params = {"view": mode, "date": day and day.isoformat(), "account": account, "state": state}
        return "?" + urlencode({key: value for key, value in params.items() if value})

    first, last = shown_days(view, anchor)
    paused = paused_account_ids(request.workspace)
    slug = request.workspace.slug
    rows = _Rows(
        tz_name,
        paused,
        url_maker("post_detail", slug),
        url_maker("post_move", slug),
    )
    shown = shown_posts(
        request.workspace,
        first,
        last,
        account=account,
        state=state,
        by_hour=view == WEEK,
        per_box=WEEK_SHOWN if view == WEEK else MONTH_SHOWN,
    )
    by_day = _by_local_day(shown, rows)
    day_totals: dict[dt.date, int] = defaultdict(int)
    for (day, _hour), count in shown.counts.items():
        day_totals[day] += count
    days = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        in_period = view == WEEK or day.month == anchor.month
        entries = by_day.get(day, [])
        compose_at = _day_compose_at(day, tz_name, now)
        days.append(
            Day(
                day,
                in_period,
                day == today,
                entries,
                day_totals[day],
                link(WEEK, day),
                compose_at,
                day.isoformat(),
                date_format(day, "l j F"),
                date_format(day, "D"),
                str(day.day),
                date_format(day, "M"),
                date_format(day, "F"),
            )
        )
    context = {
        "view": view,
        "title": _title(view, anchor, first, last),
        "days": days,
        "hours": _hours(days, shown.counts, tz_name, now) if view == WEEK else [],
        "scroll_hour": _scroll_hour(days),
        "paused_accounts": [a for a in accounts if a.pk in paused],
        "weekdays": WEEKDAYS,
        "post_count": sum(day.total for day in days if day.in_period),
        "anchor": anchor,
        "previous_url": link(view, step(view, anchor, -1)),
        "next_url": link(view, step(view, anchor, 1)),
        "today_url": link(view),
        "month_url": link(MONTH, anchor),
        "week_url": link(WEEK, anchor),
        "accounts": accounts,
        "account": account,
        "state": state,
        "states": PostTarget.State.choices,
        "tz_name": tz_name,
        "new_url": reverse("post_new", args=[slug]),
    }
    return render(request, "publishing/calendar.html", context)


@workspace_view(Capability.COMPOSE)
@require_POST
def move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A post dropped on another slot: `to` is the local time, `seen` the post's time as the
    page showed it. JSON for calendar.js; on success the page reloads showing the message."""
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    tz_name = request.workspace.timezone
    try:
        try:
            to = dt.datetime.strptime(request.POST.get("to", ""), SLOT_FORMAT)  # noqa: DTZ007
            seen = dt.datetime.fromisoformat(request.POST.get("seen", ""))
        except ValueError:
            raise UserFacingError("That is not a time the calendar offers.") from None
        moved = moving.move_post(post, request.membership, to_utc(to, tz_name), seen=seen)
    except UserFacingError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    message = moving.describe(moved)
    messages.success(request, message)
    return JsonResponse({"message": message})
