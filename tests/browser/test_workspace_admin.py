"""Owners manage the team and settings and read the audit log; people edit their
profile; support staff work tickets in the admin."""

from __future__ import annotations

import io

from django.apps import apps
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Membership
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from support.groups import SUPPORT_GROUP, ensure_support_group
from support.models import SupportTicket
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_owner_changes_a_role_removes_a_member_and_reads_the_audit_log(app, new_page, shot):
    workspace = WorkspaceFactory(name="Northwind", slug="northwind")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER, user__email="o@nw.test").user
    MembershipFactory(workspace=workspace, role=Role.VIEWER, user__full_name="Vic Viewer")
    MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ed Editor")
    page = new_page()
    log_in(page, app, owner.email)
    page.get_by_role("link", name="Team", exact=True).click()

    page.get_by_label("Role of Vic Viewer").select_option("approver")  # submits on change
    expect(page.get_by_text("Vic Viewer is now approver.")).to_be_visible()
    assert Membership.objects.get(user__full_name="Vic Viewer").role == Role.APPROVER

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.person", has_text="Ed Editor").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Ed Editor was removed from Northwind.")).to_be_visible()
    assert not Membership.objects.filter(user__full_name="Ed Editor").exists()

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Workspace name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".field__error")).to_contain_text("This field is required")
    workspace.refresh_from_db()
    assert workspace.name == "Northwind"  # bad input changed nothing
    shot(page, "1-settings-error")
    page.get_by_label("Workspace name").fill("Northwind Traders")
    page.get_by_label("Posts need approval").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Workspace settings saved.")).to_be_visible()
    workspace.refresh_from_db()
    assert workspace.approval_required is True

    page.get_by_role("link", name="Audit log").click()
    table = page.locator("table")
    expect(table).to_contain_text("Role changed")
    expect(table).to_contain_text("Member removed")
    expect(table).to_contain_text("Workspace settings changed")
    shot(page, "2-audit-log")


def test_viewer_sees_no_management_controls(app, new_page, shot):
    workspace = WorkspaceFactory(name="Northwind", slug="northwind")
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER).user
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    page = new_page()
    log_in(page, app, viewer.email)
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Invite a teammate")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.get_by_role("link", name="Settings", exact=True)).to_have_count(0)
    response = page.goto(f"{app}/w/northwind/settings/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can't do that here")).to_be_visible()
    shot(page, "forbidden")


def test_person_updates_profile_and_avatar(app, new_page, shot, tmp_path):
    user = UserFactory(email="pia@example.test", full_name="Pia")
    MembershipFactory(user=user)
    page = new_page()
    log_in(page, app, user.email)
    page.locator(".account-menu summary").click()
    page.get_by_role("menuitem", name="Profile").click()

    not_an_image = tmp_path / "avatar.png"
    not_an_image.write_text("this is not a picture")
    page.get_by_label("Avatar").set_input_files(str(not_an_image))
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".field__error")).to_contain_text("Upload a valid image")
    shot(page, "1-bad-avatar")

    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), (91, 76, 240)).save(buffer, "PNG")
    real = tmp_path / "me.png"
    real.write_bytes(buffer.getvalue())
    page.get_by_label("Avatar").set_input_files(str(real))
    page.get_by_label("Full name").fill("Pia Park")
    page.get_by_label("Job title").fill("Social lead")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.locator(".profile-head img.avatar")).to_be_visible()
    user.refresh_from_db()
    assert user.full_name == "Pia Park"
    assert user.avatar.name.startswith(f"avatars/{user.pk}/")
    shot(page, "2-saved")


def test_support_staff_work_a_ticket_in_admin(app, new_page, shot):
    ensure_support_group(apps)  # the live-server tests start from a flushed database
    staff = UserFactory(email="help@mixora.test", is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    ticket = SupportTicket.objects.create(
        name="Cam", email="cam@example.test", subject="Can't log in", message="Locked out."
    )
    page = new_page()
    page.goto(f"{app}/admin/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Support tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Audit events")).to_be_visible()
    shot(page, "1-admin-index")
    page.get_by_role("link", name="Support tickets").click()
    page.get_by_role("link", name=ticket.reference).click()
    page.get_by_label("Status").select_option("resolved")
    page.get_by_label("Staff notes").fill("Reset their MFA after identity check.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == SupportTicket.Status.RESOLVED
    shot(page, "2-ticket-resolved")
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
