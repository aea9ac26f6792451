"""Deleting an account in the browser: from "Privacy & data", the person confirms their
password and types DELETE; they are signed out and cannot log in again. A sole owner is
guided to hand over the workspace first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import Role
from tests.browser.test_publish_journey import log_in
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_deletes_their_account(app, new_page, shot, workspace, owner):
    member = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Mia Member"
    ).user
    page = new_page()
    log_in(page, app, member.email)
    page.goto(f"{app}/account/privacy/")
    expect(page.get_by_role("heading", name="Privacy & data")).to_be_visible()
    shot(page, "1-privacy-and-data")
    page.get_by_role("link", name="Delete my account…").click()
    # A recent password confirmation is required first.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    page.get_by_label("Type DELETE to confirm").fill("delete")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Type DELETE in capitals to confirm.")).to_be_visible()
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    shot(page, "2-confirm")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    shot(page, "3-deleted")

    member.refresh_from_db()
    assert not member.is_active
    assert member.full_name == "Deleted user"
    page.goto(f"{app}/w/{workspace.slug}/")
    expect(page).to_have_url(f"{app}/accounts/login/?next=/w/{workspace.slug}/")


def test_a_sole_owner_is_guided_to_hand_over_first(app, new_page, shot, workspace, owner):
    page = new_page(width=390, height=844)
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/account/delete/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You are the only owner of 1 workspace")).to_be_visible()
    expect(page.get_by_role("link", name="Transfer ownership")).to_be_visible()
    shot(page, "1-guided")
    assert User.objects.get(pk=owner.user.pk).is_active
