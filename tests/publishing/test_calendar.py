"""The content calendar: posts on their local day in the workspace's zone, month and week
ranges, filters, tenant isolation and a query count that does not grow with the posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import Post, PostTarget
from publishing.timezones import to_utc
from tests.factories import MembershipFactory, WorkspaceFactory

S = PostTarget.State


def account(workspace, name: str = "X", platform: str = "x") -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform=platform,
        external_id=f"{platform}-{name}",
        display_name=name,
    )


def post_at(workspace, when: datetime, *targets, text: str = "Hello", stage=None) -> Post:
    """A post scheduled at `when` (aware); each target is an account or (account, state)."""
    post = Post.objects.create(
        workspace=workspace, text=text, scheduled_at=when, stage=stage or Post.Stage.SCHEDULED
    )
    for target in targets:
        on, state = target if isinstance(target, tuple) else (target, S.SCHEDULED)
        PostTarget.objects.create(post=post, account=on, state=state, due_at=when)
    return post


def local(workspace, *args: int) -> datetime:
    return to_utc(datetime(*args), workspace.timezone)  # noqa: DTZ001 - a wall-clock time


def placed(response) -> dict[date, list[int]]:
    """{local day: [post ids in the order shown]} for the days that have posts."""
    return {d.date: [e.post.pk for e in d.entries] for d in response.context["days"] if d.entries}


@pytest.fixture
def open_calendar(client, workspace, owner):
    client.force_login(owner.user)

    def get(**params: object):
        response = client.get(reverse("calendar", args=[workspace.slug]), params)
        assert response.status_code == 200
        return response

    return get


@pytest.mark.parametrize(
    ("tz_name", "day", "time"),
    [
        ("Europe/Berlin", date(2026, 12, 1), "00:30"),
        ("America/New_York", date(2026, 11, 30), "18:30"),
    ],
)
def test_a_post_shows_on_its_local_day_in_the_workspace_zone(
    open_calendar, workspace, tz_name, day, time
):
    workspace.timezone = tz_name
    workspace.save()
    post = post_at(workspace, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), account(workspace))

    for view in ("month", "week"):
        response = open_calendar(view=view, date="2026-12-01")
        assert placed(response) == {day: [post.pk]}
        [entry] = next(d for d in response.context["days"] if d.date == day).entries
        assert entry.time == time
    assert f'data-date="{day:%Y-%m-%d}"' in response.content.decode()
    assert reverse("post_detail", args=[workspace.slug, post.pk]) in response.content.decode()
    assert f"Times in {tz_name}." in response.content.decode()


@pytest.mark.parametrize(
    ("tz_name", "view"), [("Europe/Berlin", "December"), ("America/New_York", "November")]
)
def test_without_a_date_the_calendar_opens_on_today_in_the_workspace_zone(
    open_calendar, workspace, tz_name, view
):
    workspace.timezone = tz_name
    workspace.save()
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        response = open_calendar()
    assert response.context["title"] == f"{view} 2026"
    [today] = [d for d in response.context["days"] if d.is_today]
    assert today.date == (date(2026, 12, 1) if view == "December" else date(2026, 11, 30))


def test_month_view_is_six_monday_first_weeks_covering_the_month(open_calendar, workspace):
    x = account(workspace)
    # November 2026 starts on a Sunday: the grid runs Mon 26 Oct to Sun 6 Dec (London).
    before = post_at(workspace, local(workspace, 2026, 10, 25, 23, 59), x)
    first = post_at(workspace, local(workspace, 2026, 10, 26, 0, 0), x)
    inside = post_at(workspace, local(workspace, 2026, 11, 15, 12, 0), x)
    last = post_at(workspace, local(workspace, 2026, 12, 6, 23, 59), x)
    after = post_at(workspace, local(workspace, 2026, 12, 7, 0, 0), x)

    response = open_calendar(view="month", date="2026-11-15")

    days = response.context["days"]
    assert len(days) == 42
    assert (days[0].date, days[-1].date) == (date(2026, 10, 26), date(2026, 12, 6))
    assert all(d.date.weekday() == 0 for d in days[::7])
    assert [d.in_period for d in days].count(True) == 30
    shown = {pk for pks in placed(response).values() for pk in pks}
    assert shown == {first.pk, inside.pk, last.pk}
    assert not shown & {before.pk, after.pk}
    assert response.context["post_count"] == 1  # the days of November only
    assert response.context["title"] == "November 2026"


def test_month_view_places_posts_by_local_day_across_daylight_saving_changes(
    open_calendar, workspace
):
    x = account(workspace)  # London: BST from 29 March, GMT again from 25 October
    spring_gmt = post_at(workspace, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), x)
    spring_bst = post_at(workspace, datetime(2026, 3, 29, 23, 30, tzinfo=UTC), x)
    autumn_bst = post_at(workspace, datetime(2026, 10, 24, 23, 30, tzinfo=UTC), x)
    autumn_gmt = post_at(workspace, datetime(2026, 10, 25, 23, 30, tzinfo=UTC), x)

    march = placed(open_calendar(date="2026-03-10"))
    october = placed(open_calendar(date="2026-10-10"))

    assert march[date(2026, 3, 29)] == [spring_gmt.pk]
    assert march[date(2026, 3, 30)] == [spring_bst.pk]  # 00:30 BST
    assert october[date(2026, 10, 25)] == [autumn_bst.pk, autumn_gmt.pk]  # 00:30 BST, 23:30 GMT


def test_week_view_is_monday_to_sunday_with_posts_in_time_order(open_calendar, workspace):
    x = account(workspace)
    post_at(workspace, local(workspace, 2026, 11, 29, 23, 59), x)  # the Sunday before
    afternoon = post_at(workspace, local(workspace, 2026, 12, 3, 15, 0), x)
    morning = post_at(workspace, local(workspace, 2026, 12, 3, 9, 0), x)
    monday = post_at(workspace, local(workspace, 2026, 11, 30, 0, 0), x)
    sunday = post_at(workspace, local(workspace, 2026, 12, 6, 23, 59), x)
    post_at(workspace, local(workspace, 2026, 12, 7, 0, 0), x)  # the Monday after

    response = open_calendar(view="week", date="2026-12-03")

    days = response.context["days"]
    assert [d.date for d in days] == [date(2026, 11, 30) + timedelta(days=i) for i in range(7)]
    assert placed(response) == {
        date(2026, 11, 30): [monday.pk],
        date(2026, 12, 3): [morning.pk, afternoon.pk],
        date(2026, 12, 6): [sunday.pk],
    }
    assert [e.time for e in days[3].entries] == ["09:00", "15:00"]
    assert response.context["title"] == "30 Nov – 6 Dec 2026"


def test_navigation_moves_by_month_or_week_and_keeps_the_filters(open_calendar, workspace):
    x = account(workspace)
    month = open_calendar(view="month", date="2026-12-15", account=x.pk, state=S.FAILED)
    week = open_calendar(view="week", date="2026-12-31", account=x.pk)

    keep = f"account={x.pk}&state=failed"
    assert month.context["previous_url"] == f"?view=month&date=2026-11-01&{keep}"
    assert month.context["next_url"] == f"?view=month&date=2027-01-01&{keep}"
    assert month.context["today_url"] == f"?view=month&{keep}"
    assert month.context["week_url"] == f"?view=week&date=2026-12-15&{keep}"
    assert week.context["next_url"] == f"?view=week&date=2027-01-07&account={x.pk}"
    assert week.context["month_url"] == f"?view=month&date=2026-12-31&account={x.pk}"
    assert week.context["title"] == "28 Dec 2026 – 3 Jan 2027"


def test_the_account_filter_shows_posts_with_a_target_on_that_account(open_calendar, workspace):
    x, insta = account(workspace, "X"), account(workspace, "Insta", "instagram")
    when = local(workspace, 2026, 12, 2, 10, 0)
    only_x = post_at(workspace, when, x)
    only_insta = post_at(workspace, when, insta)
    both = post_at(workspace, when, x, insta)

    response = open_calendar(date="2026-12-02", account=x.pk)

    assert placed(response) == {date(2026, 12, 2): [only_x.pk, both.pk]}
    assert f'<option value="{x.pk}" selected>' in response.content.decode()
    assert placed(open_calendar(date="2026-12-02", account=insta.pk)) == {
        date(2026, 12, 2): [only_insta.pk, both.pk]
    }


def test_the_state_filter_and_both_filters_need_one_matching_target(open_calendar, workspace):
    x, insta = account(workspace, "X"), account(workspace, "Insta", "instagram")
    when = local(workspace, 2026, 12, 2, 10, 0)
    failed_on_x = post_at(workspace, when, (x, S.FAILED), (insta, S.PUBLISHED))
    failed_on_insta = post_at(workspace, when, (x, S.PUBLISHED), (insta, S.FAILED))
    failed_on_both = post_at(workspace, when, (x, S.FAILED), (insta, S.FAILED))
    post_at(workspace, when, (x, S.SCHEDULED))

    day = date(2026, 12, 2)
    assert placed(open_calendar(date="2026-12-02", state=S.FAILED)) == {
        day: [failed_on_x.pk, failed_on_insta.pk, failed_on_both.pk]  # each post once
    }
    assert placed(open_calendar(date="2026-12-02", state=S.FAILED, account=x.pk)) == {
        day: [failed_on_x.pk, failed_on_both.pk]
    }


@pytest.mark.parametrize(
    "params",
    [
        {"view": "year", "date": "2026-13-45", "account": "abc", "state": "bogus"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31"},
        {"date": "yesterday", "account": "-1"},
    ],
)
def test_invalid_parameters_fall_back_to_the_defaults(open_calendar, workspace, params):
    with time_machine.travel(datetime(2026, 6, 10, 12, 0, tzinfo=UTC), tick=False):
        response = open_calendar(**params)
    assert response.context["view"] == "month"
    assert response.context["anchor"] == date(2026, 6, 10)
    assert (response.context["account"], response.context["state"]) == (None, "")


def test_another_workspaces_posts_and_accounts_never_appear(open_calendar, workspace):
    mine = account(workspace, "Mine")
    other = WorkspaceFactory(name="Other", slug="other", timezone=workspace.timezone)
    theirs = account(other, "Theirs")
    when = local(workspace, 2026, 12, 2, 10, 0)
    my_post = post_at(workspace, when, mine, text="Our launch")
    post_at(other, when, theirs, text="Their secret launch")

    for params in ({}, {"account": theirs.pk}, {"account": theirs.pk, "state": S.SCHEDULED}):
        response = open_calendar(date="2026-12-02", **params)
        html = response.content.decode()
        assert placed(response) == {date(2026, 12, 2): [my_post.pk]}
        assert "Their secret launch" not in html
        assert "Theirs" not in html
        assert response.context["account"] is None  # a foreign account id is refused
        assert f'value="{theirs.pk}"' not in html


def test_get_only(client, workspace, owner):
    client.force_login(owner.user)
    url = reverse("calendar", args=[workspace.slug])
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def test_a_viewer_reads_the_calendar_but_gets_no_compose_link(client, workspace):
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER)
    post = post_at(workspace, datetime.now(UTC), account(workspace))
    client.force_login(viewer.user)

    response = client.get(reverse("calendar", args=[workspace.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("post_detail", args=[workspace.slug, post.pk]) in html
    assert reverse("post_new", args=[workspace.slug]) not in html


def test_the_owner_gets_the_compose_link_and_the_sidebar_marks_calendar(open_calendar, workspace):
    html = open_calendar().content.decode()
    url = reverse("calendar", args=[workspace.slug])
    assert reverse("post_new", args=[workspace.slug]) in html
    assert f'class="nav__item is-active" href="{url}" aria-current="page"' in html


def queries_for(client, url: str, params: dict) -> int:
    client.get(url, params)  # warm up: the session learns the last workspace
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def add_posts(workspace, count: int, accounts: list[ConnectedAccount], first: datetime) -> None:
    states = [S.SCHEDULED, S.PUBLISHED, S.FAILED, S.NEEDS_ATTENTION]
    for i in range(count):
        targets = [(a, states[(i + j) % len(states)]) for j, a in enumerate(accounts[: 1 + i % 4])]
        post_at(workspace, first + timedelta(hours=13 * i), *targets, text=f"Post {i}")


@pytest.mark.parametrize("view", ["month", "week"])
def test_the_calendar_costs_the_same_queries_for_1_and_40_posts(client, workspace, owner, view):
    client.force_login(owner.user)
    url = reverse("calendar", args=[workspace.slug])
    params = {"view": view, "date": "2026-12-01"}
    start = local(workspace, 2026, 11, 30, 8, 0)
    add_posts(workspace, 1, [account(workspace, "A")], start)
    with_one = queries_for(client, url, params)

    more = [
        account(workspace, name, platform)
        for name, platform in [
            ("B", "facebook"),
            ("C", "instagram"),
            ("D", "tiktok"),
            ("E", "youtube"),
        ]
    ]
    add_posts(workspace, 39, [*more, ConnectedAccount.objects.get(display_name="A")], start)
    if view == "week":  # 40 posts inside the one week
        Post.objects.filter(workspace=workspace).update(scheduled_at=start)
    with_forty = queries_for(client, url, params)

    response = client.get(url, params)
    assert sum(d.total for d in response.context["days"]) == 40
    assert with_forty == with_one


def test_the_queue_costs_the_same_queries_for_1_and_40_posts(client, workspace, owner):
    client.force_login(owner.user)
    url = reverse("post_list", args=[workspace.slug])
    start = local(workspace, 2026, 11, 30, 8, 0)
    add_posts(workspace, 1, [account(workspace, "A")], start)
    with_one = queries_for(client, url, {"tab": "queue"})

    more = [account(workspace, name, "facebook") for name in "BCDE"]
    add_posts(workspace, 39, more, start)
    with_forty = queries_for(client, url, {"tab": "queue"})

    assert Post.objects.filter(workspace=workspace, stage=Post.Stage.SCHEDULED).count() == 40
    assert with_forty == with_one


def test_the_week_grid_puts_posts_in_their_local_hour_and_offers_only_future_slots(
    open_calendar, workspace
):
    x = account(workspace)
    morning = post_at(workspace, local(workspace, 2026, 12, 3, 9, 40), x)
    evening = post_at(workspace, local(workspace, 2026, 12, 3, 18, 0), x)
    published = post_at(workspace, local(workspace, 2026, 12, 1, 9, 0), (x, S.PUBLISHED))

    with time_machine.travel(local(workspace, 2026, 12, 2, 14, 35), tick=False):
        response = open_calendar(view="week", date="2026-12-03")

    hours = response.context["hours"]
    assert [row.label for row in hours][:3] == ["00:00", "01:00", "02:00"]
    assert len(hours) == 24
    assert all(len(row.slots) == 7 for row in hours)
    thursday = {row.hour: row.slots[3] for row in hours}
    assert [e.post.pk for e in thursday[9].entries] == [morning.pk]
    assert [e.post.pk for e in thursday[18].entries] == [evening.pk]
    assert [e.movable for e in thursday[9].entries] == [True]
    assert [e.movable for e in hours[9].slots[1].entries] == [False]  # published
    assert hours[9].slots[1].entries[0].post.pk == published.pk
    # Wednesday 2 December, 14:35: hours that have begun are not offered for composing.
    wednesday = {row.hour: row.slots[2] for row in hours}
    assert wednesday[14].compose_at == ""
    assert wednesday[15].compose_at == "2026-12-02T15:00"
    assert wednesday[14].now_quarter == 2
    assert all(s.now_quarter is None for row in hours for s in row.slots if s is not wednesday[14])
    assert response.context["scroll_hour"] == 8  # the earliest post is at 09:00

    html = response.content.decode()
    new = reverse("post_new", args=[workspace.slug])
    assert f'href="{new}?at=2026-12-02T15:00"' in html
    assert f'href="{new}?at=2026-12-02T14:00"' not in html
    move = reverse("post_move", args=[workspace.slug, morning.pk])
    assert f'draggable="true" data-move-url="{move}"' in html
    assert reverse("post_move", args=[workspace.slug, published.pk]) not in html


def test_the_week_grid_follows_the_clocks_on_a_daylight_saving_day(open_calendar, workspace):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        response = open_calendar(view="week", date="2026-03-29")  # London skips 01:00-02:00
    sunday = {row.hour: row.slots[6] for row in response.context["hours"]}
    assert sunday[1].compose_at == ""  # does not exist that day
    assert sunday[2].compose_at == "2026-03-29T02:00"


def test_month_days_offer_a_plus_from_today_on(open_calendar, workspace):
    with time_machine.travel(local(workspace, 2026, 12, 2, 14, 35), tick=False):
        response = open_calendar(view="month", date="2026-12-02")
    by_date = {d.date: d.compose_at for d in response.context["days"]}
    assert by_date[date(2026, 12, 1)] == ""
    assert by_date[date(2026, 12, 2)] == "2026-12-02T15:00"
    assert by_date[date(2026, 12, 3)] == "2026-12-03T09:00"


def test_a_viewer_gets_no_compose_slots_and_nothing_to_drag(client, workspace):
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER)
    post_at(workspace, datetime.now(UTC) + timedelta(days=1), account(workspace))
    client.force_login(viewer.user)

    html = client.get(reverse("calendar", args=[workspace.slug]), {"view": "week"}).content
    assert b"?at=" not in html
    assert b"draggable" not in html
    assert b"calendar.js" not in html
