"""The content calendar: a month or a week of posts, laid out in the workspace's time zone.

Posts are placed on the local day of their `scheduled_at`; the shown range is computed in
UTC from local midnights, so a day on which the clocks change is 23 or 25 hours long. The
page costs a fixed number of queries: the accounts (filter list and validation), the posts,
their targets with accounts, plus the app shell's own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_safe

from accounts.models import Workspace
from accounts.tenancy import WorkspaceRequest, workspace_view
from connections.models import ConnectedAccount

from ..models import Post, PostTarget
from ..timezones import range_bounds_utc, to_local

MONTH, WEEK = "month", "week"
MONTH_DAYS = 42  # six Monday-first weeks: always room for the whole month
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


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
    post: Post
    time: str  # HH:MM in the workspace's time zone


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    entries: list[Entry]
    url: str  # the week view of this day, with the same filters


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


def _posts(
    workspace: Workspace, start: dt.datetime, end: dt.datetime, account: int | None, state: str
) -> list[Post]:
    """The posts scheduled in [start, end), in time order, with their targets' accounts; when
    filtered, only those with one target that is on `account` and in `state`."""
    posts = Post.objects.filter(workspace=workspace, scheduled_at__gte=start, scheduled_at__lt=end)
    wanted = {key: value for key, value in (("account_id", account), ("state", state)) if value}
    if wanted:
        posts = posts.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), **wanted)))
    targets = PostTarget.objects.select_related("account").order_by("account__platform", "pk")
    return list(posts.order_by("scheduled_at", "pk").prefetch_related(Prefetch("targets", targets)))


def _by_local_day(posts: list[Post], tz_name: str) -> dict[dt.date, list[Entry]]:
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for post in posts:  # already in time order
        local = to_local(post.scheduled_at, tz_name)
        days[local.date()].append(Entry(post, f"{local:%H:%M}"))
    return days


def _title(view: str, anchor: dt.date, first: dt.date, last: dt.date) -> str:
    if view == MONTH:
        return date_format(anchor, "F Y")
    start = "j M Y" if first.year != last.year else "j M" if first.month != last.month else "j"
    return f"{date_format(first, start)} – {date_format(last, 'j M Y')}"


@workspace_view()
@require_safe
def calendar(request: WorkspaceRequest) -> HttpResponse:
    tz_name = request.workspace.timezone
    today = to_local(timezone.now(), tz_name).date()
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
    start, end = range_bounds_utc(first, last, tz_name)
    posts = _posts(request.workspace, start, end, account, state)
    by_day = _by_local_day(posts, tz_name)
    days = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        in_period = view == WEEK or day.month == anchor.month
        days.append(Day(day, in_period, day == today, by_day.get(day, []), link(WEEK, day)))
    context = {
        "view": view,
        "title": _title(view, anchor, first, last),
        "days": days,
        "weekdays": WEEKDAYS,
        "post_count": sum(len(day.entries) for day in days if day.in_period),
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
    }
    return render(request, "publishing/calendar.html", context)
