"""A busy workspace: a month day shows its first posts and "+N more", which opens the day's
week; a busy hour of the week shows its first posts and "+N more"; a long queue shows its first
posts and "All N upcoming", which opens that account's queue; the posts list pages by 50 and
keeps its tab."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import Post, PostTarget
from publishing.timezones import to_local
from publishing.views.calendar import MONTH_SHOWN, WEEK_SHOWN
from tests.browser.test_calendar import TZ, log_in, owner_of, schedule
from tests.browser.test_exports import decline_cookies


def test_a_busy_day_hour_queue_and_list_show_a_window_and_the_way_to_the_rest(app, new_page, shot):
    workspace, owner, x = owner_of("busy", "o@busy.test")
    day = to_local(timezone.now(), TZ).date() + timedelta(days=2)
    for i in range(12):
        post = schedule(workspace, day, 10, x, f"Busy post {i}")
        moved = post.scheduled_at + timedelta(minutes=4 * i)
        Post.objects.filter(pk=post.pk).update(scheduled_at=moved)
        PostTarget.objects.filter(post=post).update(due_at=moved)
    for i in range(51):
        post = Post.objects.create(workspace=workspace, text=f"Draft {i}")
        PostTarget.objects.create(post=post, account=x)

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)
    page.goto(f"{app}/w/busy/calendar/?date={day:%Y-%m-%d}")
    box = page.locator(f'li.cal-day[data-date="{day:%Y-%m-%d}"]')
    expect(box.locator(".cal-post")).to_have_count(MONTH_SHOWN)
    more = box.get_by_role("link", name=re.compile(rf"\+{12 - MONTH_SHOWN} more"))
    shot(page, "1-month-more")
    more.click()

    hour = page.locator(f'td.wk__slot[data-date="{day:%Y-%m-%d}"][data-hour="10"]')
    expect(hour.locator(".cal-post")).to_have_count(WEEK_SHOWN)
    expect(hour).to_contain_text(f"+{12 - WEEK_SHOWN} more")
    shot(page, "2-week-more")

    page.goto(f"{app}/w/busy/posts/queue/")
    expect(page.locator(".queue__item")).to_have_count(10)
    page.get_by_role("link", name=re.compile("All 12 upcoming")).click()
    expect(page.locator(".queue__item")).to_have_count(12)
    expect(page.get_by_role("link", name="← Every account's queue")).to_be_visible()
    shot(page, "3-one-queue")

    page.goto(f"{app}/w/busy/posts/?tab=drafts")
    expect(page.locator(".post-row")).to_have_count(50)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".post-row")).to_have_count(1)
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator(".tab.is-active")).to_contain_text("Drafts")
    shot(page, "4-drafts-page-2")
