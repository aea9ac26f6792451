"""The owner finds scheduled posts on the calendar, by month and by week (a grid of hours),
filters it, composes in an empty slot, drags posts to other slots, reorders and pauses an
account's queue and adds posting slots for several days and times at once."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import Post, PostTarget
from publishing.timezones import to_local, to_utc
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

TZ = "Europe/London"


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def slot(page, day: date, hour: int):
    """The week grid's cell for `hour` on `day`."""
    return page.locator(f'td.wk__slot[data-date="{day:%Y-%m-%d}"][data-hour="{hour}"]')


def owner_of(slug: str, email: str) -> tuple[object, object, ConnectedAccount]:
    workspace = WorkspaceFactory(name="Northwind", slug=slug, timezone=TZ)
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER, user__email=email).user
    x = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Northwind"
    )
    return workspace, owner, x


def schedule(workspace, day: date, hour: int, account: ConnectedAccount, text: str) -> Post:
    when = to_utc(datetime.combine(day, time(hour)), TZ)  # noqa: DTZ001 - a wall-clock time
    post = Post.objects.create(
        workspace=workspace, text=text, scheduled_at=when, stage=Post.Stage.SCHEDULED
    )
    PostTarget.objects.create(
        post=post, account=account, state=PostTarget.State.SCHEDULED, due_at=when
    )
    return post


def test_owner_browses_the_calendar_by_month_and_week_and_filters_it(app, new_page, shot):
    workspace = WorkspaceFactory(name="Northwind", slug="northwind", timezone=TZ)
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER, user__email="o@nw.test").user
    x = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Northwind"
    )
    insta = ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="2", display_name="northwind.ig"
    )
    today = to_local(timezone.now(), TZ).date()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=15)
    schedule(workspace, today, 9, x, "Spring launch on X")
    schedule(workspace, today, 18, insta, "Teaser on Instagram")
    schedule(workspace, next_month, 10, x, "Next month's giveaway")

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.get_by_role("link", name="Calendar", exact=True).click()
    expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()
    expect(page.locator("#cal-title")).to_have_text(date_format(today, "F Y"))
    today_cell = page.locator(f'li[data-date="{today:%Y-%m-%d}"]')
    expect(today_cell).to_contain_text("09:00")
    expect(today_cell).to_contain_text("Spring launch on X")
    expect(today_cell).to_contain_text("Teaser on Instagram")
    expect(page.get_by_text("Next month's giveaway")).to_have_count(0)
    shot(page, "1-month")

    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator("th.wk__day")).to_have_count(7)
    expect(page.locator("th.wk__day.is-today")).to_have_attribute("data-date", f"{today:%Y-%m-%d}")
    expect(slot(page, today, 9)).to_contain_text("Spring launch on X")
    expect(slot(page, today, 18)).to_contain_text("Teaser on Instagram")
    shot(page, "2-week")

    page.get_by_role("link", name="Month", exact=True).click()
    page.get_by_role("link", name="Next month").click()
    expect(page.locator("#cal-title")).to_have_text(date_format(next_month, "F Y"))
    expect(page.locator(f'li[data-date="{next_month:%Y-%m-%d}"]')).to_contain_text(
        "Next month's giveaway"
    )
    shot(page, "3-next-month")
    page.get_by_role("link", name="Previous month").click()
    expect(page.locator("#cal-title")).to_have_text(date_format(today, "F Y"))

    page.get_by_label("Account", exact=True).select_option(
        label="Instagram · northwind.ig"
    )  # submits
    expect(page).to_have_url(re.compile(rf"[?&]account={insta.pk}(&|$)"))
    expect(today_cell).to_contain_text("Teaser on Instagram")
    expect(page.get_by_text("Spring launch on X")).to_have_count(0)
    shot(page, "4-filtered-by-account")

    page.get_by_role("link", name="Next month").click()  # the filter stays on
    expect(page.get_by_label("Account", exact=True)).to_have_value(str(insta.pk))
    expect(page.get_by_text("Next month's giveaway")).to_have_count(0)

    phone = new_page(width=390, height=844)
    log_in(phone, app, owner.email)
    decline_cookies(phone)
    phone.goto(f"{app}/w/northwind/calendar/")
    expect(phone.locator(f'li[data-date="{today:%Y-%m-%d}"]')).to_contain_text("Spring launch on X")
    shot(phone, "5-phone")
    phone.goto(f"{app}/w/northwind/calendar/?view=week")
    expect(slot(phone, today, 9)).to_contain_text("Spring launch on X")
    expect(slot(phone, today, 9)).to_be_in_viewport()  # scrolled sideways to today
    shot(phone, "6-phone-week")


def test_click_an_empty_hour_to_compose_there(app, new_page, shot):
    workspace, owner, x = owner_of("northwind", "o@nw.test")
    today = to_local(timezone.now(), TZ).date()
    later = today + timedelta(days=2)
    schedule(workspace, later, 9, x, "Morning tip")

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.goto(f"{app}/w/northwind/calendar/?view=week&date={later:%Y-%m-%d}")
    expect(slot(page, later, 9)).to_contain_text("Morning tip")
    assert page.locator(".wk").evaluate("el => el.scrollTop") > 0  # opened near 08:00
    slot(page, later, 14).hover()
    shot(page, "1-week-hover")
    slot(page, later, 14).click(position={"x": 20, "y": 30})

    expect(page).to_have_url(re.compile(rf"/posts/new/\?at={later:%Y-%m-%d}T14:00$"))
    expect(page.get_by_label("When")).to_have_value(f"{later:%Y-%m-%d}T14:00")
    shot(page, "2-composer-at-the-slot")


def test_drag_a_post_to_another_hour_and_day_and_a_refused_drag_snaps_back(app, new_page, shot):
    workspace, owner, x = owner_of("northwind", "o@nw.test")
    today = to_local(timezone.now(), TZ).date()
    day, next_day, yesterday = (today + timedelta(days=n) for n in (2, 3, -1))
    post = schedule(workspace, day, 10, x, "Flash sale")
    sent = schedule(workspace, yesterday, 9, x, "Yesterday's news")
    Post.objects.filter(pk=sent.pk).update(stage=Post.Stage.PUBLISHED)
    sent.targets.update(state=PostTarget.State.PUBLISHED)

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.goto(f"{app}/w/northwind/calendar/?view=week&date={day:%Y-%m-%d}")
    page.locator(".cal-post", has_text="Flash sale").drag_to(slot(page, day, 15))
    expect(page.get_by_text(re.compile(r"Moved “Flash sale” to .* 15:00\."))).to_be_visible()
    expect(slot(page, day, 15)).to_contain_text("Flash sale")
    expect(slot(page, day, 10)).not_to_contain_text("Flash sale")
    post.refresh_from_db()
    assert to_local(post.scheduled_at, TZ).replace(tzinfo=None) == datetime.combine(day, time(15))
    assert post.targets.get().due_at == post.scheduled_at
    shot(page, "1-moved-in-week")

    page.goto(f"{app}/w/northwind/calendar/?view=month&date={day:%Y-%m-%d}")
    page.locator(".cal-post", has_text="Flash sale").drag_to(
        page.locator(f'li.cal-day[data-date="{next_day:%Y-%m-%d}"]')
    )
    expect(page.get_by_text(re.compile(r"Moved “Flash sale” to"))).to_be_visible()
    post.refresh_from_db()
    assert to_local(post.scheduled_at, TZ).replace(tzinfo=None) == datetime.combine(
        next_day, time(15)
    )  # another day, the same time

    page.goto(f"{app}/w/northwind/calendar/?view=month&date={yesterday:%Y-%m-%d}")
    expect(page.locator(".cal-post", has_text="Yesterday's news")).not_to_have_attribute(
        "draggable", "true"
    )  # published: it cannot be picked up
    page.locator(".cal-post", has_text="Flash sale").drag_to(
        page.locator(f'li.cal-day[data-date="{yesterday:%Y-%m-%d}"]')
    )
    expect(page.get_by_role("alert")).to_contain_text("That time has passed")
    expect(page.locator(f'li.cal-day[data-date="{next_day:%Y-%m-%d}"]')).to_contain_text(
        "Flash sale"
    )
    expect(page.locator(f'li.cal-day[data-date="{yesterday:%Y-%m-%d}"]')).not_to_contain_text(
        "Flash sale"
    )
    shot(page, "2-refused")
    post.refresh_from_db()
    assert to_local(post.scheduled_at, TZ).date() == next_day


def test_reorder_and_pause_an_accounts_queue(app, new_page, shot):
    workspace, owner, x = owner_of("northwind", "o@nw.test")
    today = to_local(timezone.now(), TZ).date()
    first = schedule(workspace, today + timedelta(days=1), 10, x, "Monday motivation")
    second = schedule(workspace, today + timedelta(days=2), 12, x, "Customer story")

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.goto(f"{app}/w/northwind/calendar/")
    page.get_by_role("link", name="Queues").click()
    items = page.locator(".queue__item")
    expect(items).to_have_text([re.compile("Monday motivation"), re.compile("Customer story")])
    expect(page.get_by_role("button", name="Move up: “Monday motivation”")).to_have_count(0)
    shot(page, "1-queue")

    page.get_by_role("button", name="Move up: “Customer story”").click()
    expect(page.get_by_text(re.compile(r"Moved “Customer story” to"))).to_be_visible()
    expect(items).to_have_text([re.compile("Customer story"), re.compile("Monday motivation")])
    first.refresh_from_db()
    second.refresh_from_db()
    assert to_local(second.scheduled_at, TZ).hour == 10
    assert to_local(first.scheduled_at, TZ).hour == 12

    page.get_by_role("button", name="Pause queue of Northwind").click()
    expect(page.locator(".queue__paused")).to_have_text("Paused")
    expect(page.get_by_text("nothing is published to this account").first).to_be_visible()
    shot(page, "2-paused")
    page.goto(f"{app}/w/northwind/calendar/?view=week&date={today + timedelta(days=1):%Y-%m-%d}")
    expect(page.get_by_text("Paused queues:")).to_be_visible()
    expect(page.locator(".cal-post", has_text="Customer story")).to_contain_text("Paused")
    shot(page, "3-calendar-paused")

    phone = new_page(width=390, height=844)
    log_in(phone, app, owner.email)
    decline_cookies(phone)
    phone.goto(f"{app}/w/northwind/posts/queue/")
    shot(phone, "4-phone-queue")
    phone.get_by_role("button", name="Resume queue of Northwind").click()
    expect(phone.get_by_role("button", name="Pause queue of Northwind")).to_be_visible()
    expect(phone.locator(".queue__paused")).to_have_count(0)


def test_add_posting_slots_for_several_days_and_times_at_once(app, new_page, shot):
    workspace, owner, x = owner_of("northwind", "o@nw.test")
    ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="2", display_name="northwind.ig"
    )

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.goto(f"{app}/w/northwind/posts/slots/")
    page.get_by_label("X: Northwind").check()
    page.get_by_role("button", name="Weekdays").click()
    expect(page.get_by_label("Friday")).to_be_checked()
    expect(page.get_by_label("Saturday")).not_to_be_checked()
    page.get_by_label("Times").fill("09:00, 12:30, 9am")
    page.get_by_role("button", name="Add slots").click()
    expect(page.get_by_text("“9am” is not a time")).to_be_visible()
    shot(page, "1-bad-time")

    page.get_by_label("Times").fill("09:00, 12:30")
    page.get_by_role("button", name="Add slots").click()
    expect(page.get_by_text("10 slots added.")).to_be_visible()
    expect(page.locator(".slot")).to_have_count(10)
    shot(page, "2-added")
