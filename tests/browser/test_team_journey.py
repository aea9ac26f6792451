"""A newcomer signs up, creates a workspace, invites a teammate who joins, and switches
between workspaces — the way a person would, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from accounts.models import Membership
from accounts.roles import Role

from .conftest import last_link_to

PASSWORD = "blue-harbour-sunrise-42"


def sign_up(page, app: str, email: str, name: str, *, prefilled: bool = False) -> None:
    if not prefilled:
        page.goto(f"{app}/accounts/signup/")
        page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Country").select_option("US")
    page.get_by_label("I am 16 or older").check()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def test_owner_signs_up_invites_a_teammate_and_switches_workspaces(app, new_page, shot):
    owner = new_page()

    # Sign up: mandatory email verification through the link in the outbox.
    sign_up(owner, app, "maya@acme.test", "Maya Lin")
    expect(owner.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    shot(owner, "1-verify-email")
    owner.goto(last_link_to("maya@acme.test", "/accounts/confirm-email/"))
    owner.get_by_role("button", name="Confirm").click()

    # Onboarding: the first workspace.
    expect(owner.get_by_role("heading", name="Create your workspace")).to_be_visible()
    shot(owner, "2-onboarding")
    owner.get_by_label("Workspace name").fill("Acme Studio")
    owner.get_by_label("Timezone").select_option("America/New_York")
    owner.get_by_role("button", name="Create workspace").click()
    expect(
        owner.get_by_role("heading", name=re.compile("Good to see you, Maya Lin"))
    ).to_be_visible()
    shot(owner, "3-dashboard")

    # Invite a teammate as approver.
    owner.get_by_role("link", name="Team", exact=True).click()
    owner.get_by_label("Email address").fill("sam@acme.test")
    owner.get_by_label("Role", exact=True).select_option("approver")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to sam@acme.test.")).to_be_visible()
    expect(owner.get_by_role("heading", name="Pending invitations")).to_be_visible()
    shot(owner, "4-invited")

    # The teammate has no account: the link leads through sign-up straight into the workspace.
    teammate = new_page()
    teammate.goto(last_link_to("sam@acme.test", "/invitations/"))
    expect(teammate.get_by_role("heading", name="Join Acme Studio on Mixora")).to_be_visible()
    shot(teammate, "5-invitation")
    teammate.get_by_role("link", name="Create your account").click()
    expect(teammate.get_by_label("Email")).to_have_value("sam@acme.test")
    sign_up(teammate, app, "sam@acme.test", "Sam Ortiz", prefilled=True)
    teammate.get_by_role("button", name="Accept invitation").click()
    expect(teammate.get_by_text("Welcome to Acme Studio!")).to_be_visible()
    expect(teammate.get_by_text("You are approver of Acme Studio.")).to_be_visible()
    shot(teammate, "6-teammate-joined")

    # The owner sees the teammate with the invited role.
    owner.reload()
    row = owner.locator("li.person", has_text="sam@acme.test")
    expect(row.get_by_label("Role of Sam Ortiz")).to_have_value("approver")
    assert Membership.objects.get(user__email="sam@acme.test").role == Role.APPROVER
    shot(owner, "7-team")

    # A second workspace, then switch back through the switcher.
    owner.get_by_label("Switch workspace").click()
    owner.get_by_role("menuitem", name="+ New workspace").click()
    owner.get_by_label("Workspace name").fill("Side Project")
    owner.get_by_role("button", name="Create workspace").click()
    expect(owner.locator(".switcher summary")).to_contain_text("Side Project")
    owner.get_by_label("Switch workspace").click()
    shot(owner, "8-switcher")
    owner.get_by_role("menuitem", name="Acme Studio").click()
    expect(owner.locator(".switcher summary")).to_contain_text("Acme Studio")
    expect(owner).to_have_url(re.compile(r"/w/acme-studio/$"))


def test_phone_width_shell_has_a_working_menu(app, new_page, shot, django_user_model):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(email="phone@acme.test", full_name="Pat Phone")
    MembershipFactory(user=user, workspace__name="Pocket Co", workspace__slug="pocket-co")
    page = new_page(width=390, height=844)
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill("phone@acme.test")
    page.get_by_label("Password").fill("correct-horse-battery-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()
    expect(page.get_by_role("link", name="Team", exact=True)).not_to_be_in_viewport()
    page.get_by_role("button", name="Open menu").click()
    expect(page.get_by_role("link", name="Team", exact=True)).to_be_in_viewport()
    shot(page, "phone-menu")
