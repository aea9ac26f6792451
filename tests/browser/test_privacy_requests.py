"""Privacy requests end to end: a visitor files one and confirms it from the email, support
staff verify and complete it in admin, the visitor's status page follows; a logged-in
person re-authenticates before asking for deletion."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from privacy import requests
from privacy.models import PrivacyRequest
from support.groups import SUPPORT_GROUP, ensure_support_group
from tests.factories import PASSWORD, UserFactory

from .conftest import last_link_to

PHONE = {"width": 390, "height": 844}


def reject_cookies(page: object) -> None:
    """A first visit shows the cookie banner; answer it as a privacy-minded visitor would."""
    banner = page.get_by_role("region", name="Cookies on Mixora")
    if banner.count():
        banner.get_by_role("button", name="Reject all").click()
        expect(banner).to_have_count(0)


def test_visitor_files_an_access_request_and_support_completes_it(app, new_page, shot):
    ensure_support_group(apps)  # the live-server tests start from a flushed database
    staff = UserFactory(email="privacy-desk@mixora.test", is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))

    page = new_page()
    page.goto(app)
    reject_cookies(page)
    page.get_by_role("link", name="Your privacy choices").click()
    expect(page.get_by_role("heading", name="Make a privacy request")).to_be_visible()
    page.get_by_role("button", name="Send request").click()  # empty: errors, nothing saved
    expect(page.get_by_text("Choose what you would like us to do.")).to_be_visible()
    expect(page.get_by_text("Choose where you live.")).to_be_visible()
    assert not PrivacyRequest.objects.exists()
    shot(page, "1-errors")

    page.get_by_label("See my data").check()
    page.get_by_label("Email address").fill("robin@example.test")
    page.get_by_label("Your name").fill("Robin Visitor")
    page.get_by_label("Where do you live?").select_option("eea")
    page.get_by_role("textbox", name="Details").fill(
        "Everything you hold about this address, please."
    )
    shot(page, "2-form")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    req = PrivacyRequest.objects.get()
    assert req.status == PrivacyRequest.Status.AWAITING_CONFIRMATION
    expect(page.locator("#request-reference")).to_have_text(req.reference)
    shot(page, "3-check-email")

    page.goto(last_link_to("robin@example.test", "/privacy/requests/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your request")).to_be_visible()
    page.get_by_role("button", name="Confirm my request").click()
    expect(page.locator("#request-status")).to_have_text("Received")
    expect(page.get_by_text("Thanks, your email address is confirmed.")).to_be_visible()
    status_url = page.url
    shot(page, "4-status-received")

    # Two older requests, so the queue shows its due-date colours.
    for days in (40, 26):
        requests.file_request(
            request_type=PrivacyRequest.Type.PORTABILITY,
            jurisdiction="uk",
            email="",
            user=UserFactory(),
            now=timezone.now() - timedelta(days=days),
        )

    desk = new_page()
    desk.goto(f"{app}/admin/login/")
    desk.get_by_label("Email address").fill(staff.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.get_by_role("link", name="Privacy requests").click()
    expect(desk.locator("#result_list .privacy-due--overdue")).to_have_count(1)
    expect(desk.locator("#result_list .privacy-due--soon")).to_have_count(1)
    row = desk.locator("#result_list tr", has_text=req.reference)
    expect(row.locator(".privacy-due--later")).to_be_visible()
    row.locator("input.action-select").check()
    desk.locator('select[name="action"]').select_option("verify_requests")
    shot(desk, "5-admin-queue")
    desk.get_by_role("button", name="Run").click()
    expect(desk.get_by_text(f"Verified: {req.reference}.")).to_be_visible()

    desk.get_by_role("link", name=req.reference).click()
    expect(desk.get_by_text("Everything you hold about this address, please.")).to_be_visible()
    desk.locator('select[name="CHANGE_FORM-action"]').select_option("complete_requests")
    desk.get_by_role("button", name="Run").click()
    desk.get_by_label("Note to the requester (optional)").fill(
        "We emailed you a copy of your data in a separate message."
    )
    shot(desk, "6-admin-complete")
    desk.get_by_role("button", name="Complete").click()
    expect(desk.get_by_text(f"Completed: {req.reference}.")).to_be_visible()
    expect(desk.locator(".inline-group")).to_contain_text("Request completed")
    shot(desk, "7-admin-completed")
    req.refresh_from_db()
    assert req.status == PrivacyRequest.Status.COMPLETED

    page.goto(status_url)
    expect(page.locator("#request-status")).to_have_text("Completed")
    expect(page.locator(".alert--success")).to_contain_text("We emailed you a copy of your data")
    shot(page, "8-status-completed")

    phone = new_page(**PHONE)
    phone.goto(status_url)
    reject_cookies(phone)
    phone.reload()  # without the "choices saved" toast
    expect(phone.locator("#request-status")).to_have_text("Completed")
    shot(phone, "9-status-phone")
    phone.goto(f"{app}/privacy/requests/new/")
    phone.get_by_label("Delete my data").check()
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "10-form-phone")


def test_logged_in_deletion_request_asks_for_the_password_again(app, new_page, shot):
    user = UserFactory(email="leaving@example.test", full_name="Lee Leaving", country="FR")
    page = new_page()
    page.goto(f"{app}/accounts/login/")
    reject_cookies(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{app}/privacy/requests/new/")

    expect(page.get_by_label("Email address")).to_be_disabled()
    expect(page.get_by_label("Email address")).to_have_value(user.email)
    expect(page.get_by_label("Where do you live?")).to_have_value("eea")
    page.get_by_label("Delete my data").check()
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_label("Password")).to_be_visible()
    assert "/accounts/reauthenticate/" in page.url
    assert not PrivacyRequest.objects.exists()
    shot(page, "1-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator("#request-status")).to_have_text("Received")
    req = PrivacyRequest.objects.get()
    assert (req.user, req.request_type) == (user, PrivacyRequest.Type.DELETION)
    shot(page, "2-status")
    page.get_by_role("link", name="All your requests").click()
    expect(page.get_by_role("link", name="Delete my data")).to_be_visible()
    shot(page, "3-your-requests")
