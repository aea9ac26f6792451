from __future__ import annotations

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from support.models import SupportTicket


def test_visitor_files_a_support_ticket(app, new_page, shot):
    page = new_page()
    page.goto(app)
    page.get_by_role("link", name="Contact support").click()
    page.get_by_role("button", name="Send message").click()  # empty: inline errors, nothing saved
    expect(page.locator(".field__error").first).to_be_visible()
    assert not SupportTicket.objects.exists()
    shot(page, "1-errors")

    page.get_by_label("Your name").fill("Riley Visitor")
    page.get_by_label("Email address").fill("riley@example.test")
    page.get_by_label("Topic").select_option("billing")
    page.get_by_label("Subject").fill("Invoice address")
    page.get_by_label("How can we help?").fill("Can you put our VAT number on invoices?")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", name="Thanks, we've got it")).to_be_visible()
    ticket = SupportTicket.objects.get()
    expect(page.locator("#ticket-reference")).to_have_text(ticket.reference)
    assert any(
        ticket.reference in m.subject and m.to == ["riley@example.test"] for m in mail.outbox
    )
    shot(page, "2-thanks")


def _fill_sign_up(page, age_label: str) -> None:
    page.get_by_label("Email").fill("kid@example.test")
    page.get_by_label("Full name").fill("Young Person")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label(age_label).check()
    page.get_by_label("Password", exact=True).fill("blue-harbour-sunrise-42")
    page.get_by_label("Password (again)").fill("blue-harbour-sunrise-42")


def test_sign_up_refuses_a_child_and_keeps_nothing(app, new_page, shot):
    page = new_page()
    page.goto(f"{app}/accounts/signup/")
    # The same form, open in a second tab of the same browser, for the second answer.
    second = page.context.new_page()
    second.goto(f"{app}/accounts/signup/")

    _fill_sign_up(page, "I am 13, 14 or 15")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("not available to you")
    expect(page.get_by_label("I am 16 or older")).to_have_count(0)  # no form to answer again
    assert not User.objects.filter(email="kid@example.test").exists()
    assert mail.outbox == []
    shot(page, "refused")

    _fill_sign_up(second, "I am 16 or older")
    second.get_by_role("button", name="Create account").click()
    expect(second.get_by_role("alert")).to_contain_text("a different answer doesn't change that")
    assert not User.objects.exists()
    assert mail.outbox == []
    shot(second, "re-answer-refused")

    page.goto(f"{app}/accounts/signup/")
    expect(page.get_by_role("alert")).to_contain_text("not available to you")
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)
