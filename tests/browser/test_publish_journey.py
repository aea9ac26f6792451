"""The product's main job, end to end in the browser: an editor composes one post with an
image for Facebook, Instagram and X and submits it; the approver approves; a real Celery
worker publishes it through the emulator; the post page shows the permalinks."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from publishing import publisher
from publishing.models import Post, PostTarget
from publishing.sample_media import image_bytes
from publishing.timezones import to_local
from tests.factories import PASSWORD, MembershipFactory
from tests.publishing_fixtures import make_due

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_editor_composes_approver_approves_worker_publishes(
    app, new_page, shot, accounts, workspace, start_worker, emulator, celery_queue, tmp_path
):
    workspace.approval_required = True
    workspace.save(update_fields=["approval_required"])
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Eddie").user
    approver = MembershipFactory(
        workspace=workspace, role=Role.APPROVER, user__full_name="Ava"
    ).user
    photo = tmp_path / "launch.jpg"
    photo.write_bytes(image_bytes(size=(1080, 1080)))

    page = new_page()
    log_in(page, app, editor.email)
    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill("Our autumn menu is here 🍂 #coffee")
    for account in (accounts["facebook"], accounts["instagram"], accounts["x"]):
        page.locator(f"input[name=accounts][value='{account.pk}']").check()
    expect(page.locator("#checks")).to_contain_text("Instagram needs at least one image")
    shot(page, "1-compose-needs-media")
    page.get_by_label("Add files").set_input_files(str(photo))
    soon = to_local(timezone.now() + timedelta(minutes=2), workspace.timezone)
    page.get_by_label("When").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Sent for review.")).to_be_visible()
    expect(page.locator(".stage")).to_have_text("In review")
    shot(page, "2-in-review")

    reviewer = new_page()
    log_in(reviewer, app, approver.email)
    reviewer.get_by_role("link", name=re.compile("Notifications")).click()
    reviewer.get_by_role("link", name=re.compile("asks for review")).click()
    expect(reviewer.locator("#checks, .post-text")).to_contain_text("Our autumn menu is here")
    reviewer.get_by_label(re.compile("Comment")).first.fill("Lovely, ship it.")
    shot(reviewer, "3-review")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("Approved and scheduled.")).to_be_visible()

    # Time passes until the post is due; Celery beat's job, done here: dispatch what is due
    # to a real worker.
    make_due(Post.objects.get(), timezone.now())
    start_worker()
    deadline = time.monotonic() + 60
    while PostTarget.objects.exclude(state=PostTarget.State.PUBLISHED).exists():
        publisher.dispatch_due()
        assert time.monotonic() < deadline, "not published within a minute"
        time.sleep(0.5)

    reviewer.reload()
    links = reviewer.locator("#targets .permalink")
    expect(links).to_have_count(3)
    expect(reviewer.locator("#targets .pill--target-published")).to_have_count(3)
    expect(reviewer.locator(".stage")).to_have_text("Published")
    shot(reviewer, "4-published")
    reviewer.get_by_role("link", name="Posts", exact=True).click()
    reviewer.get_by_role("link", name=re.compile("^Published")).click()
    expect(reviewer.locator(".post-row")).to_contain_text("Our autumn menu is here")
    shot(reviewer, "5-published-list")
    assert len(emulator.control("GET", "posts?platform=meta")) == 2
    assert len(emulator.control("GET", "posts?platform=x")) == 1
