"""The scheduling pages at scale: the calendar, the queues and the posts list show a bounded
window ("+N more", "All N upcoming", pages of PER_PAGE) and cost the same queries with a few
posts as with many more than they show (bench/pages.py times them at 100,000 posts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from publishing import queue
from publishing.models import Post, PostTarget
from publishing.timezones import to_utc
from publishing.views.calendar import MONTH_SHOWN, WEEK_SHOWN
from publishing.views.posts import PER_PAGE
from tests.factories import WorkspaceFactory

S = PostTarget.State


def account(workspace, name: str) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id=f"x-{name}", display_name=name
    )


def add_posts(workspace, accounts, times, stage=Post.Stage.SCHEDULED) -> list[Post]:
    """A post at each time, on every account (each target scheduled at it)."""
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, text=f"Post {i}", scheduled_at=when, stage=stage)
        for i, when in enumerate(times)
    )
    PostTarget.objects.bulk_create(
        PostTarget(post=post, account=on, state=S.SCHEDULED, due_at=post.scheduled_at)
        for post in posts
        for on in accounts
    )
    return posts


def queries(client, url: str) -> tuple[int, object]:
    client.get(url)  # the first request of a session asks more (session, last workspace)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def local(workspace, *args: int) -> datetime:
    return to_utc(datetime(*args), workspace.timezone)  # noqa: DTZ001 - a wall-clock time


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner.user)
    return client


def test_a_month_day_shows_its_first_posts_and_counts_the_rest(logged_in, workspace):
    accounts = [account(workspace, "A"), account(workspace, "B")]
    url = reverse("calendar", args=[workspace.slug]) + "?date=2026-12-01"
    add_posts(workspace, accounts, [local(workspace, 2026, 12, 9, 10, 0)])
    with_one, _ = queries(logged_in, url)

    busy = [local(workspace, 2026, 12, 10, 8, 0) + timedelta(minutes=7 * i) for i in range(40)]
    made = add_posts(workspace, accounts, busy)
    with_many, response = queries(logged_in, url)

    assert with_many == with_one
    day = next(d for d in response.context["days"] if d.date.day == 10 and d.in_period)
    assert [e.post.pk for e in day.entries] == [p.pk for p in made[:MONTH_SHOWN]]
    assert (day.total, day.more) == (40, 40 - MONTH_SHOWN)
    assert response.context["post_count"] == 41
    assert f"+{40 - MONTH_SHOWN} more" in response.content.decode()


def test_a_week_hour_shows_its_first_posts_and_counts_the_rest(logged_in, workspace):
    accounts = [account(workspace, "A")]
    url = reverse("calendar", args=[workspace.slug]) + "?view=week&date=2026-12-09"
    add_posts(workspace, accounts, [local(workspace, 2026, 12, 9, 10, 0)])
    with_one, _ = queries(logged_in, url)

    # 30 posts in 10:00-11:00 on the 10th, and 5 in other hours that day.
    hour = [local(workspace, 2026, 12, 10, 10, 0) + timedelta(minutes=2 * i) for i in range(30)]
    made = add_posts(workspace, accounts, hour)
    add_posts(workspace, accounts, [local(workspace, 2026, 12, 10, h, 30) for h in range(13, 18)])
    with_many, response = queries(logged_in, url)

    assert with_many == with_one
    row = response.context["hours"][10]
    slot = next(s for s in row.slots if s.day.date.day == 10)
    assert [e.post.pk for e in slot.entries] == [p.pk for p in made[:WEEK_SHOWN]]
    assert slot.more == 30 - WEEK_SHOWN
    assert response.context["post_count"] == 36
    for later in response.context["hours"][13:18]:
        assert len(next(s for s in later.slots if s.day.date.day == 10).entries) == 1


def test_the_calendar_filters_cost_the_same_and_count_only_matches(logged_in, workspace):
    a, b = account(workspace, "A"), account(workspace, "B")
    url = reverse("calendar", args=[workspace.slug]) + f"?date=2026-12-01&account={a.pk}"
    add_posts(workspace, [a], [local(workspace, 2026, 12, 9, 10, 0)])
    with_one, _ = queries(logged_in, url)

    add_posts(workspace, [a], [local(workspace, 2026, 12, 10, 9, m) for m in range(10)])
    add_posts(workspace, [b], [local(workspace, 2026, 12, 10, 8, m) for m in range(10)])
    with_many, response = queries(logged_in, url)

    assert with_many == with_one
    day = next(d for d in response.context["days"] if d.date.day == 10 and d.in_period)
    assert day.total == 10
    assert all(t.account_id == a.pk for e in day.entries for t in e.post.targets.all())


def at(hours: int) -> datetime:
    return timezone.now().astimezone(UTC).replace(microsecond=0) + timedelta(hours=hours)


def test_each_queue_shows_its_first_posts_and_costs_the_same_queries(logged_in, workspace):
    a, b = account(workspace, "A"), account(workspace, "B")
    url = reverse("post_queue", args=[workspace.slug])
    add_posts(workspace, [a, b], [at(1)])
    with_one, _ = queries(logged_in, url)

    made = add_posts(workspace, [a], [at(2 + i) for i in range(30)])
    with_many, response = queries(logged_in, url)

    assert with_many == with_one
    first, second = response.context["queues"]
    assert [t.post.text for t in first.targets] == ["Post 0", *[p.text for p in made[:9]]]
    assert (first.upcoming, first.more) == (31, 31 - queue.SHOWN)
    assert (second.upcoming, second.more, len(second.targets)) == (1, 0, 1)
    assert first.rows[-1][2].post == made[9]  # Move down swaps with the first one not shown
    html = response.content.decode()
    assert f'href="?account={a.pk}"' in html
    assert "All 31 upcoming" in html


def test_one_accounts_queue_moves_by_windows_with_neighbours_on_both_sides(logged_in, workspace):
    a = account(workspace, "A")
    made = add_posts(workspace, [a], [at(1 + i) for i in range(queue.ACCOUNT_SHOWN * 2 + 5)])
    url = reverse("post_queue", args=[workspace.slug]) + f"?account={a.pk}"

    first_count, response = queries(logged_in, url)
    (only,) = response.context["queues"]
    assert [t.post for t in only.targets] == made[: queue.ACCOUNT_SHOWN]
    assert only.rows[0][1] is None
    assert only.rows[-1][2].post == made[queue.ACCOUNT_SHOWN]

    later_count, response = queries(logged_in, f"{url}&start={queue.ACCOUNT_SHOWN}")
    (only,) = response.context["queues"]
    assert [t.post for t in only.targets] == made[queue.ACCOUNT_SHOWN : queue.ACCOUNT_SHOWN * 2]
    assert only.rows[0][1].post == made[queue.ACCOUNT_SHOWN - 1]  # Move up crosses the edge
    assert only.more == 5
    assert later_count == first_count


def test_another_workspaces_account_has_no_queue_page(logged_in, workspace):
    other = account(WorkspaceFactory(), "Theirs")
    url = reverse("post_queue", args=[workspace.slug]) + f"?account={other.pk}"
    assert logged_in.get(url).status_code == 404


@pytest.mark.parametrize("tab", ["queue", "published"])
def test_the_posts_list_pages_by_fifty_at_the_same_cost(logged_in, workspace, tab):
    a = account(workspace, "A")
    stage = Post.Stage.SCHEDULED if tab == "queue" else Post.Stage.PUBLISHED
    url = reverse("post_list", args=[workspace.slug]) + f"?tab={tab}&account={a.pk}"
    add_posts(workspace, [a], [at(1)], stage=stage)
    with_one, _ = queries(logged_in, url)

    add_posts(workspace, [a], [at(2 + i) for i in range(PER_PAGE + 10)], stage=stage)
    with_many, response = queries(logged_in, url)
    deep, page_two = queries(logged_in, f"{url}&page=2")

    assert with_many == with_one == deep
    assert len(response.context["page"].object_list) == PER_PAGE
    assert len(page_two.context["page"].object_list) == 11
    assert response.context["counts"][tab] == PER_PAGE + 11
    # The page links keep the tab and the filters.
    assert f"?tab={tab}&amp;account={a.pk}&amp;page=2" in response.content.decode()
    shown = [*response.context["page"].object_list, *page_two.context["page"].object_list]
    assert len({p.pk for p in shown}) == PER_PAGE + 11
