"""Safe scheduling in the browser (issue 14): the owner picks a time that has passed and is
told so with nothing lost, posts now instead, duplicates the post from its page, and deletes
the duplicate from the posts list; the list at phone width keeps its row actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing import publisher
from publishing.models import Post, PostTarget
from publishing.timezones import to_local
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)
TEXT = "Flash sale: two lattes for one until noon"


def test_a_past_time_is_refused_then_post_now_duplicate_and_delete_from_the_list(
    app, new_page, shot, accounts, owner, workspace, emulator
):
    page = new_page()
    log_in(page, app, owner.user.email)
    decline_cookies(page)
    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill(TEXT)
    page.locator(f"input[name=accounts][value='{accounts['x'].pk}']").check()
    yesterday = to_local(timezone.now() - timedelta(days=1), workspace.timezone)
    page.get_by_label("When").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(
        page.get_by_text(re.compile(r"That time has passed \(.* in Europe/London\)"))
    ).to_be_visible()
    expect(page.get_by_label("What do you want to share?")).to_have_value(TEXT)
    assert not Post.objects.exists()
    shot(page, "1-past-time-refused")

    page.get_by_role("button", name="Post now").click()
    expect(page.get_by_text("Publishing now.")).to_be_visible()
    post = Post.objects.get()
    assert post.targets.get().due_at <= timezone.now()
    assert publisher.dispatch_due() == 1  # the next dispatcher run takes it
    shot(page, "2-posting-now")

    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_text("Duplicated: this is a new draft with no time yet.")).to_be_visible()
    expect(page.get_by_label("What do you want to share?")).to_have_value(TEXT)
    expect(page.get_by_label("When")).to_have_value("")
    shot(page, "3-duplicate-in-composer")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    copy = Post.objects.exclude(pk=post.pk).get()
    assert (copy.stage, copy.scheduled_at) == (Post.Stage.DRAFT, None)
    assert list(copy.targets.values_list("account_id", "state")) == [
        (accounts["x"].pk, PostTarget.State.DRAFT)
    ]

    page.get_by_role("link", name="Posts", exact=True).click()
    page.get_by_role("link", name=re.compile("^Drafts")).click()
    row = page.locator(".post-row", has_text=TEXT)
    expect(row.get_by_role("button", name=f"Duplicate “{TEXT}”")).to_be_visible()
    shot(page, "4-drafts-list")
    row.get_by_role("link", name=f"Delete “{TEXT}”").click()
    expect(page.get_by_role("heading", name="Delete this post?")).to_be_visible()
    page.get_by_role("button", name="Delete post").click()
    expect(page.get_by_text(re.compile("^Deleted “"))).to_be_visible()
    assert list(Post.objects.values_list("pk", flat=True)) == [post.pk]

    phone = new_page(width=390, height=844)
    log_in(phone, app, owner.user.email)
    decline_cookies(phone)
    phone.goto(f"{app}/w/acme/posts/?tab=queue")
    phone_row = phone.locator(".post-row", has_text=TEXT)
    expect(phone_row.get_by_role("button", name=f"Duplicate “{TEXT}”")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "5-queue-phone")
