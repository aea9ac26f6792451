"""Local mode: a developer reads the emails the app sent and follows their links."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives
from playwright.sync_api import expect

from mixora.local_mail import ReadableConsoleBackend

pytestmark = pytest.mark.urls("tests.dev_mail_urls")


def test_a_developer_opens_a_sent_email_and_follows_its_link(
    app, new_page, shot, settings, tmp_path
):
    settings.LOCAL_MAIL_DIR = tmp_path / "mail"
    link = f"{app}/accounts/password/reset/key/1-set-password/"
    message = EmailMultiAlternatives(
        "Reset your password",
        f"Hello Ana,\n\nChoose a new password here:\n{link}\n\nThe Mixora team",
        "Mixora <hello@mixora.local>",
        ["ana@example.test"],
    )
    message.attach_alternative(f'<p><a href="{link}">Choose a new password</a></p>', "text/html")
    ReadableConsoleBackend().send_messages([message])

    page = new_page()
    page.goto(f"{app}/_dev/mail/")
    expect(page.get_by_role("heading", name="Sent emails")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("row").nth(1)).to_contain_text("ana@example.test")
    expect(page.get_by_text("SentMail(")).to_have_count(0)  # not taken for a toast message
    shot(page, "1-list")
    page.get_by_role("link", name="Reset your password").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    shot(page, "2-email")
    page.get_by_role("region", name="Links in this email").get_by_role("link").click()
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
