"""An owner connects every kind of account through the emulator's consent pages, declines
once, sees the accounts healthy, and disconnects one after reading what it deletes."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from connections import services
from connections.models import ConnectedAccount
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory


def test_owner_connects_all_five_kinds_and_disconnects_one(app, new_page, shot, emulator):
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    page = new_page()
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Connections").click()
    expect(page.get_by_text("No accounts connected yet.")).to_be_visible()
    shot(page, "1-empty")

    # Facebook Pages and the Instagram account linked to one of them.
    page.get_by_role("button", name="Connect Facebook & Instagram").click()
    expect(page.get_by_text("Facebook (emulated)")).to_be_visible()
    shot(page, "2-facebook-consent")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Choose what to connect")).to_be_visible()
    page.get_by_label(re.compile("Demo Co Bakery")).uncheck()
    shot(page, "3-choose-pages")
    page.get_by_role("button", name="Connect selected").click()
    expect(
        page.get_by_text(re.compile(r"^Connected Facebook Page: Demo Co Coffee"))
    ).to_be_visible()

    # TikTok: declined first, which connects nothing, then allowed.
    page.get_by_role("button", name="Connect TikTok").click()
    page.get_by_role("button", name="Cancel").click()
    expect(
        page.get_by_text("TikTok was not connected: the permission request was declined.")
    ).to_be_visible()
    assert not ConnectedAccount.objects.filter(platform="tiktok").exists()
    shot(page, "4-declined")
    for label in ("TikTok", "X", "YouTube"):
        page.get_by_role("button", name=f"Connect {label}").click()
        page.get_by_role("button", name="Allow").click()
        expect(page.locator(".toast").last).to_contain_text("Connected")

    accounts = page.locator("#account-list li")
    expect(accounts).to_have_count(5)
    for name in ("Demo Co Coffee", "democo.coffee", "Demo Co TV"):
        expect(page.locator("#account-list")).to_contain_text(name)
    expect(page.locator("#account-list .pill--active")).to_have_count(5)
    expect(page.locator("#account-list").get_by_text(re.compile("Last sync"))).to_have_count(5)
    assert set(workspace.connected_accounts.values_list("platform", flat=True)) == {
        "facebook",
        "instagram",
        "x",
        "tiktok",
        "youtube",
    }
    shot(page, "5-all-connected")

    # Disconnect X: the confirmation says what goes, then it is gone here and at X.
    page.locator("li", has_text="@democo").filter(has_text="X ·").get_by_role(
        "link", name="Disconnect"
    ).click()
    expect(page.get_by_role("heading", name="Disconnect Demo Co?")).to_be_visible()
    expect(page.locator("#will-delete")).to_contain_text("revoke Mixora's access at X")
    expect(page.locator("#will-delete")).to_contain_text("delete the access tokens")
    shot(page, "6-confirm-disconnect")
    page.get_by_role("button", name="Disconnect and delete").click()
    expect(page.get_by_text("Disconnected X: Demo Co.")).to_be_visible()
    expect(accounts).to_have_count(4)
    assert not workspace.connected_accounts.filter(platform="x").exists()
    assert emulator.requests("x", "x.revoke")


def test_a_dead_grant_notifies_the_owner_who_reconnects_it(app, new_page, shot, emulator):
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1500000000000000001",
        display_name="Demo Co",
        handle="@democo",
        access_token="revoked-at-x",
    )
    assert services.check(account) is False  # X answers 401; no refresh token to try
    assert mail.outbox[-1].to == [owner.email]

    page = new_page(width=390, height=844)
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Notifications, 1 unread").click()
    page.get_by_role("link", name="X Demo Co needs reconnecting.").click()
    expect(page.locator(".pill--needs_reconnect")).to_have_text("Needs reconnect")
    expect(page.get_by_text("no longer accepts")).to_be_visible()
    shot(page, "1-needs-reconnect")

    page.get_by_role("button", name="Reconnect").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator(".pill--active")).to_have_count(1)
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.ACTIVE
    assert workspace.connected_accounts.count() == 1  # the same account, renewed
    shot(page, "2-reconnected")
