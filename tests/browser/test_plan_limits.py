"""An owner on the Free plan meets its limits the way a person would: an invitation and a
connection refused with an Upgrade link that leads to billing, the inbox as an upgrade page, a
paused account after a downgrade's grace, and a read-only workspace that still shows
everything and points to billing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from accounts.roles import Role
from billing.models import SubscriptionStatus
from connections.models import ConnectedAccount
from tests.billing.plan_states import make_read_only, put_on
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_owner_meets_the_free_plan_limits_and_a_read_only_workspace(app, new_page, shot):
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ed Editor")
    for n, name in enumerate(["Demo Co", "Demo Co TV"]):
        ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id=str(n), display_name=name
        )
    put_on(workspace, "free")
    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)  # the cookie banner, when this database has optional groups

    # A third seat: refused in the form, with the way to more seats.
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_label("Email address").fill("sam@demo.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(
        page.get_by_text(
            "Your Free plan includes 2 team members and pending invitations and 2 are in use"
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Upgrade")).to_have_attribute(
        "href", "/w/demo-co/billing/"
    )
    shot(page, "1-invite-refused")

    # A third account: refused before the platform's consent screen; Upgrade leads to billing.
    page.get_by_role("link", name="Connections").click()
    page.get_by_role("button", name="Connect YouTube").click()
    toast = page.locator(".toast--error")
    expect(toast).to_contain_text(
        "Your Free plan includes 2 connected social accounts and 2 are in use"
    )
    shot(page, "2-connect-refused")
    toast.get_by_role("link", name="Upgrade").click()
    expect(page).to_have_url(re.compile(r"/w/demo-co/billing/$"))

    # The inbox is not in Free: what it does, and the way to get it.
    page.goto(f"{app}/w/demo-co/inbox/")
    expect(
        page.get_by_role("heading", name="Answer every comment and message in one place")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Upgrade to get the inbox")).to_be_visible()
    shot(page, "3-inbox-upgrade")

    # After a downgrade's grace an extra account is paused, and says why.
    put_on(workspace, "free", status=SubscriptionStatus.CANCELED)
    ConnectedAccount.objects.create(
        workspace=workspace,
        platform="youtube",
        external_id="yt",
        display_name="Demo Co Clips",
        status=ConnectedAccount.Status.PAUSED,
        status_reason="Your Free plan includes 2 connected social accounts: disconnect another "
        "account or upgrade to publish here again.",
    )
    page.goto(f"{app}/w/demo-co/connections/")
    paused = page.locator("li.account", has_text="Demo Co Clips")
    expect(paused.locator(".pill--paused")).to_have_text("Paused")
    expect(paused).to_contain_text("disconnect another account or upgrade")
    expect(paused.get_by_role("button", name="Reconnect")).to_have_count(0)
    shot(page, "4-paused-account")

    # Read-only: everything still shows; a change is refused with the reason and billing.
    make_read_only(workspace)
    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill("Open on Sunday")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Demo Co is read-only")).to_be_visible()
    expect(page.locator("#main")).to_contain_text(
        "this workspace is read-only until the invoice is paid. Nothing is lost."
    )
    shot(page, "5-read-only")
    page.get_by_role("link", name="Go to billing").click()
    expect(page).to_have_url(re.compile(r"/w/demo-co/billing/$"))
