"""Support enters a request that arrived by email, the account holder confirms it from the
link sent to their account's address, support completes it, and the queued task builds the
export whose emailed link downloads the ZIP. A sole owner's deletion is refused in admin with
the guidance they are emailed."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from exports.models import DataExport
from exports.tasks import build_export
from privacy import requests
from privacy.models import PrivacyRequest
from privacy.request_links import confirm_token
from publishing.models import Post
from support.groups import SUPPORT_GROUP, ensure_support_group
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import last_link_to
from .test_privacy_requests import reject_cookies


def support_desk(app: str, new_page, email: str = "privacy-desk@mixora.test") -> object:
    """A support agent (the least-privilege Support group) logged in to the admin."""
    ensure_support_group(apps)  # the live-server tests start from a flushed database
    staff = UserFactory(email=email, is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    desk = new_page()
    desk.goto(f"{app}/admin/login/")
    desk.get_by_label("Email address").fill(staff.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.get_by_role("link", name="Privacy requests").click()
    return desk


def run_change_form_action(desk, action: str) -> None:
    desk.locator('select[name="CHANGE_FORM-action"]').select_option(action)
    desk.get_by_role("button", name="Run").click()


def test_support_enters_an_emailed_access_request_and_the_export_reaches_the_account(
    app, new_page, shot, celery_queue, tmp_path
):
    workspace = WorkspaceFactory(name="Acme Coffee", slug="acme")
    pat = MembershipFactory(
        workspace=workspace,
        role=Role.EDITOR,
        user__email="pat@acme.test",
        user__full_name="Pat Person",
    ).user
    Post.objects.create(workspace=workspace, author=pat, text="Autumn blend is back")
    received_on = timezone.localdate() - timedelta(days=5)

    desk = support_desk(app, new_page)
    desk.get_by_role("link", name="Enter a request received by email").click()
    expect(desk.get_by_role("heading", name="Enter a request received by email")).to_be_visible()
    desk.get_by_label("Requester's email address").fill("Pat@Acme.test")
    desk.get_by_label("Requester's name").fill("Pat Person")
    desk.get_by_label("What they ask for").select_option("access")
    desk.get_by_label("Where they live").select_option("eea")
    desk.get_by_label("Received on").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    desk.get_by_label("Details").fill("Please send me a copy of all my data. — Pat")
    desk.get_by_role("button", name="Enter request").click()
    expect(desk.get_by_text("The received date can't be in the future")).to_be_visible()
    assert not PrivacyRequest.objects.exists()
    shot(desk, "1-future-date-refused")

    desk.get_by_label("Received on").fill(received_on.isoformat())
    desk.get_by_role("button", name="Enter request").click()
    req = PrivacyRequest.objects.get()
    expect(desk.get_by_text(f"{req.reference} entered: received")).to_be_visible()
    expect(desk.locator(".field-what_completing_does")).to_contain_text(
        "Waiting for the account holder"
    )
    expect(desk.locator(".field-source")).to_contain_text("Received by email, entered by support")
    shot(desk, "2-entered")

    # The link went to the account's own address; confirming ties the request to it.
    person = new_page()
    person.goto(last_link_to("pat@acme.test", "/privacy/requests/confirm/"))
    reject_cookies(person)
    expect(person.get_by_text("confirming ties the request to that account")).to_be_visible()
    shot(person, "3-confirm")
    person.get_by_role("button", name="Confirm my request").click()
    expect(person.locator("#request-status")).to_have_text("Received")
    expect(person.get_by_text("The request is tied to your Mixora account.")).to_be_visible()

    desk.reload()
    expect(desk.locator(".field-account")).to_contain_text("pat@acme.test")
    expect(desk.locator(".field-what_completing_does")).to_contain_text(
        "Completing it starts a data export for the account"
    )
    run_change_form_action(desk, "verify_requests")
    expect(desk.get_by_text(f"Verified: {req.reference}.")).to_be_visible()
    run_change_form_action(desk, "complete_requests")
    expect(desk.locator(".privacy-step-rows")).to_contain_text("starts a data export")
    desk.get_by_label("Note to the requester (optional)").fill(
        "Your download link arrives in a separate email."
    )
    shot(desk, "4-complete")
    desk.get_by_role("button", name="Complete").click()
    expect(desk.get_by_text(f"Completed: {req.reference}.")).to_be_visible()
    shot(desk, "5-completed")

    # The queued build runs here rather than in a worker process, so its email lands in
    # this test's outbox.
    export = DataExport.objects.get(user=pat)
    assert export.privacy_request_id == req.pk
    assert celery_queue() == [("exports.tasks.build_export", [export.pk])]
    assert build_export(export.pk) == "ready"
    ready = [m for m in mail.outbox if m.subject == "Your Mixora data export is ready"]
    assert [m.to for m in ready] == [["pat@acme.test"]]

    link = last_link_to("pat@acme.test", "/privacy/exports/")
    with person.expect_download() as download_info:
        # Following the emailed link as a mail client would (a download is not a page).
        person.evaluate(
            """url => { const a = document.createElement("a"); a.href = url;
                        document.body.append(a); a.click(); }""",
            link,
        )
    saved = tmp_path / "export.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "README.txt" in archive.namelist()
        assert json.loads(archive.read("profile.json"))["account"]["email"] == "pat@acme.test"

    person.reload()
    expect(person.locator("#request-status")).to_have_text("Completed")
    expect(person.locator(".alert--success")).to_contain_text("download link arrives")
    shot(person, "6-status-completed")


def test_a_sole_owners_emailed_deletion_is_refused_with_the_guidance(app, new_page, shot):
    workspace = WorkspaceFactory(name="Acme Coffee", slug="acme")
    owner = MembershipFactory(
        workspace=workspace, role=Role.OWNER, user__email="olive@acme.test"
    ).user
    MembershipFactory(workspace=workspace, role=Role.EDITOR)
    desk = support_desk(app, new_page)
    staff = Group.objects.get(name=SUPPORT_GROUP).user_set.get()
    req = requests.enter_emailed_request(
        request_type=PrivacyRequest.Type.DELETION,
        jurisdiction="uk",
        email="olive@acme.test",
        name="Olive Owner",
        received_on=timezone.localdate(),
        actor=staff,
    )
    requests.confirm_email(confirm_token(req, account=owner))
    requests.verify(req, actor=staff)

    desk.reload()
    desk.get_by_role("link", name=req.reference).click()
    expect(desk.locator(".field-what_completing_does")).to_contain_text(
        "Refused for now: the account holder is the only owner of Acme Coffee"
    )
    run_change_form_action(desk, "complete_requests")
    desk.get_by_role("button", name="Complete").click()
    expect(desk.locator(".messagelist .error")).to_contain_text(
        "the account holder is the only owner of Acme Coffee. They must make another member "
        "owner or delete it before their account can be deleted. We emailed them this guidance."
    )
    shot(desk, "1-refused")
    owner.refresh_from_db()
    assert owner.is_active
    guidance = [m for m in mail.outbox if m.subject.startswith("Before we can delete")]
    assert [m.to for m in guidance] == [["olive@acme.test"]]
    assert "Acme Coffee: make a teammate owner" in guidance[0].body
