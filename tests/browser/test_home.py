"""The workspace home tells each person what needs them, and what goes out today."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox.models import Conversation
from publishing.models import Post, PostTarget
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

# Offsets at most six hours apart: one of them always has the local time between 8:00 and
# 16:00, so "an hour ago" and "in two hours" are both today there.
ZONES = ("Pacific/Auckland", "Asia/Tokyo", "Asia/Kolkata", "Europe/Paris", "America/New_York")
ZONES += ("America/Los_Angeles",)


def daytime_zone() -> str:
    now = timezone.now()
    return next(z for z in ZONES if 8 <= now.astimezone(ZoneInfo(z)).hour < 16)


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def post(workspace, account, author, stage, text, when=None, state=PostTarget.State.DRAFT):
    created = Post.objects.create(
        workspace=workspace, author=author, stage=stage, text=text, scheduled_at=when
    )
    PostTarget.objects.create(post=created, account=account, state=state, last_error="")
    return created


def busy_workspace():
    workspace = WorkspaceFactory(name="Northwind", slug="northwind", timezone=daytime_zone())
    approver = MembershipFactory(
        workspace=workspace, role=Role.APPROVER, user__full_name="Ana Approver"
    ).user
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ed Ito").user
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER, user__full_name="Vi").user
    x = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Northwind"
    )
    ConnectedAccount.objects.create(
        workspace=workspace,
        platform="youtube",
        external_id="2",
        display_name="Northwind TV",
        status=ConnectedAccount.Status.NEEDS_RECONNECT,
        status_reason="Google revoked Mixora's access.",
    )
    now = timezone.now()
    post(workspace, x, editor, Post.Stage.IN_REVIEW, "Summer menu teaser", now + timedelta(days=1))
    failed = post(
        workspace, x, editor, Post.Stage.SCHEDULED, "Flash sale", now - timedelta(hours=1)
    )
    failed.targets.update(state=PostTarget.State.FAILED, last_error="X said: duplicate content.")
    out = PostTarget.State.PUBLISHED
    post(workspace, x, editor, Post.Stage.PUBLISHED, "Good morning", now - timedelta(hours=1), out)
    for hours, text in ((1, "Lunch special"), (2, "Behind the scenes")):
        post(
            workspace,
            x,
            editor,
            Post.Stage.SCHEDULED,
            text,
            now + timedelta(hours=hours),
            PostTarget.State.SCHEDULED,
        )
    Conversation.objects.create(
        workspace=workspace,
        account=x,
        kind=Conversation.Kind.MESSAGE,
        thread_key="chloe",
        participant_id="chloe",
        participant_name="Chloé Martin",
        preview="Do you deliver on Sundays?",
        last_inbound_at=now - timedelta(minutes=20),
        assignee=approver,
    )
    return workspace, approver, editor, viewer


def test_the_home_lists_what_needs_an_approver_and_links_to_it(app, new_page, shot):
    workspace, approver, _, _ = busy_workspace()
    page = new_page()
    log_in(page, app, approver.email)
    decline_cookies(page)
    expect(page.get_by_role("heading", name="Good to see you, Ana Approver")).to_be_visible()
    expect(page.get_by_test_id("home-summary")).to_have_text(
        re.compile(r"4 things need you\.\s+2 posts go out today\.")
    )
    review = page.get_by_test_id("home-review")
    expect(review).to_contain_text("Summer menu teaser")
    expect(page.get_by_test_id("home-attention")).to_contain_text("X said: duplicate content.")
    expect(page.get_by_test_id("home-reconnect")).to_contain_text("Google revoked")
    # An approver does not manage connections: the home says who can fix it.
    expect(page.get_by_test_id("home-reconnect")).to_contain_text("Ask an admin")
    expect(page.get_by_test_id("home-unread")).to_contain_text("Chloé Martin")
    today = page.get_by_test_id("home-today")
    expect(today.locator(".timeline__item")).to_have_count(4)  # the failed one was due too
    expect(today).to_contain_text("Lunch special")
    expect(today).to_contain_text(workspace.timezone)
    shot(page, "1-approver-desktop")

    review.get_by_role("link", name="Review “Summer menu teaser”").click()
    expect(page.get_by_role("heading", name="Summer menu teaser")).to_be_visible()
    page.go_back()
    page.get_by_test_id("home-unread").get_by_role("link", name="Chloé Martin").click()
    expect(page).to_have_url(re.compile(r"/inbox/c/\d+/"))

    phone = new_page(width=390, height=844)
    log_in(phone, app, approver.email)
    decline_cookies(phone)
    expect(phone.get_by_test_id("home-review")).to_be_visible()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the home is {width} px wide on a 390 px phone"
    shot(phone, "2-approver-phone")


def test_an_editor_sees_a_post_sent_back_and_a_viewer_a_read_only_home(app, new_page, shot):
    workspace, _, editor, viewer = busy_workspace()
    x = ConnectedAccount.objects.get(workspace=workspace, platform="x")
    post(workspace, x, editor, Post.Stage.CHANGES_REQUESTED, "Autumn blend")
    page = new_page()
    log_in(page, app, editor.email)
    decline_cookies(page)
    expect(page.get_by_test_id("home-changes")).to_contain_text("Autumn blend")
    expect(page.get_by_test_id("home-review")).to_have_count(0)
    page.get_by_role("link", name="See the changes asked for on “Autumn blend”").click()
    expect(page.get_by_role("heading", name="Autumn blend")).to_be_visible()

    page = new_page()
    log_in(page, app, viewer.email)
    decline_cookies(page)
    # A viewer acts on nothing: the home says what needs attention, not "you".
    expect(page.get_by_test_id("home-summary")).to_contain_text("2 things need attention.")
    expect(page.get_by_test_id("home-attention")).to_contain_text("Flash sale")
    expect(page.get_by_role("link", name="Compose a post")).to_have_count(0)
    expect(page.get_by_role("link", name="Open “Flash sale”")).to_be_visible()
    shot(page, "viewer-desktop")


def test_nothing_needs_a_new_owner(app, new_page, shot):
    workspace = WorkspaceFactory(name="Fresh", slug="fresh", timezone=daytime_zone())
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER, user__full_name="Olu").user
    page = new_page(width=390, height=844)
    log_in(page, app, owner.email)
    decline_cookies(page)
    expect(page.get_by_test_id("home-summary")).to_have_text(
        re.compile(r"Nothing needs you\.\s+Nothing is scheduled for today\.")
    )
    expect(page.get_by_role("heading", name="You’re all caught up")).to_be_visible()
    expect(page.get_by_role("heading", name="Get your team set up")).to_be_visible()
    shot(page, "empty-phone")
