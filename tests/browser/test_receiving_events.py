"""An owner deploys Mixora's webhooks (`manage.py register_webhooks`, as at deploy), connects
every kind of account (six networks) and sees which ones the platforms now send events for;
the emulator's subscription list agrees, and disconnecting stops them."""

from __future__ import annotations

import re

from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import Role
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

COFFEE_PAGE, COFFEE_IG, X_USER = "20000000000001", "17841400000000001", "1500000000000000001"
LINKEDIN_ORG = "90000001"


def subscribed_ids(emulator) -> dict[str, set[str]]:
    listing = emulator.control("GET", "subscriptions")
    return {platform: {e["account_id"] for e in entries} for platform, entries in listing.items()}


def row(page, name: str, kind: str):
    return page.locator("#account-list li", has_text=name).filter(has_text=kind)


def test_connected_accounts_receive_events_until_disconnected(app, new_page, shot, emulator):
    call_command("register_webhooks", app)
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    page = new_page()
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    decline_cookies(page)
    page.get_by_role("link", name="Connections").click()

    page.get_by_role("button", name="Connect Facebook & Instagram").click()
    page.get_by_role("button", name="Allow").click()
    page.get_by_label(re.compile("Demo Co Bakery")).uncheck()
    page.get_by_role("button", name="Connect selected").click()
    for label in ("X", "TikTok", "YouTube"):
        page.get_by_role("button", name=f"Connect {label}").click()
        page.get_by_role("button", name="Allow").click()
        expect(page.locator(".toast").last).to_contain_text("Connected")
    # LinkedIn: one log-in reaches every page the member administers; pick one.
    page.get_by_role("button", name="Connect LinkedIn").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Choose what to connect")).to_be_visible()
    page.get_by_label(re.compile("Demo Co Careers")).uncheck()
    page.get_by_role("button", name="Connect selected").click()
    expect(page.locator("#account-list li")).to_have_count(6)

    # The platforms that push events say so; polled and event-less ones say nothing.
    for name, kind in (
        ("Demo Co Coffee", "Facebook Page"),
        ("democo.coffee", "Instagram"),
        ("@democo", "X ·"),
        ("Demo Co", "LinkedIn Page"),
    ):
        expect(row(page, name, kind).locator(".account__events")).to_have_text("Receiving events")
    for name, kind in (("Demo Co", "TikTok"), ("Demo Co TV", "YouTube")):
        expect(row(page, name, kind).locator(".account__events")).to_have_count(0)
    shot(page, "1-receiving-events")
    ids = subscribed_ids(emulator)
    assert {COFFEE_PAGE, COFFEE_IG} <= ids["meta"]
    assert "20000000000002" not in ids["meta"]  # the Bakery Page was not chosen
    assert ids["x"] == {X_USER}
    assert ids["linkedin"] == {LINKEDIN_ORG}

    # Disconnecting X stops its events at X.
    row(page, "@democo", "X ·").get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Disconnect and delete").click()
    expect(page.get_by_text("Disconnected X: Demo Co.")).to_be_visible()
    assert X_USER not in subscribed_ids(emulator).get("x", set())

    # The Page keeps its install while its Instagram account still needs it.
    row(page, "Demo Co Coffee", "Facebook Page").get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Disconnect and delete").click()
    expect(page.locator("#account-list li")).to_have_count(4)
    assert COFFEE_IG in subscribed_ids(emulator)["meta"]
    row(page, "democo.coffee", "Instagram").get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Disconnect and delete").click()
    expect(page.locator("#account-list li")).to_have_count(3)
    assert not subscribed_ids(emulator).get("meta")
    shot(page, "2-after-disconnecting")
