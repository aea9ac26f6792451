"""The owner finds scheduled posts on the calendar, by month and by week, and filters it."""

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
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

TZ = "Europe/London"


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def schedule(workspace, day: date, hour: int, account: ConnectedAccount, text: str) -> Post:
    when = to_utc(datetime.combine(day, time(hour)), TZ)  # noqa: DTZ001 - a wall-clock time
    post = Post.objects.create(
        workspace=workspace, text=text, scheduled_at=when, stage=Post.Stage.SCHEDULED
    )
    PostTarget.objects.create(post=post, account=account, state=PostTarget.State.SCHEDULED)
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
    expect(page.locator(".cal-day")).to_have_count(7)
    expect(today_cell).to_contain_text("Spring launch on X")
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
    phone.goto(f"{app}/w/northwind/calendar/")
    expect(phone.locator(f'li[data-date="{today:%Y-%m-%d}"]')).to_contain_text("Spring launch on X")
    shot(phone, "5-phone")
