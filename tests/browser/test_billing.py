"""Billing in the browser, against the emulator's Stripe: the owner upgrades through the hosted
Checkout and sees the plan, usage and first invoice; a renewal fails (the card declines as the
clock passes the period's end), every member sees the banner and the owners get the email; the
card updated in the portal restores it; a cancellation at period end reads "Canceling on";
an editor gets 403 on the billing page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from billing.accounts import billing_account
from billing.models import SubscriptionStatus
from connections.models import ConnectedAccount
from tests.billing.conftest import (  # noqa: F401  (fixtures)
    GOOD_CARD,
    process_events,
    stripe_emulator,
    stripe_plans,
    stripe_webhooks,
)
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(app, stripe_plans, stripe_webhooks, celery_queue):  # noqa: F811
    """Demo Co with an owner and an editor, two connected accounts, on the Free plan; the
    emulator's Stripe sends its webhooks to the live server."""
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co", timezone="UTC")
    workspace.owner = MembershipFactory(
        workspace=workspace, role=Role.OWNER, user__full_name="Olivia Owner"
    ).user
    workspace.editor = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Eddie Editor"
    ).user
    for n, name in enumerate(("Demo Co Coffee", "Demo Co TV")):
        ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id=str(n), display_name=name
        )
    return workspace


def _pay(page, card: str = GOOD_CARD) -> None:
    """Fill the emulator's card form (hosted Checkout or the portal's card page)."""
    page.get_by_label("Card information").fill(card)
    page.get_by_label("Expiration").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Cardholder name").fill("Olivia Owner")


def _log_in(page, app, user) -> None:
    log_in(page, app, user.email)
    decline_cookies(page)
    expect(page.locator(".consent-banner")).to_have_count(0)


def _open_billing(page, app, user) -> None:
    _log_in(page, app, user)
    page.get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()


def _subscribe_in_browser(page, app, demo, process_events) -> None:  # noqa: F811
    _open_billing(page, app, demo.owner)
    page.locator("article", has_text="Business").get_by_role(
        "button", name="Upgrade to Business"
    ).click()
    expect(page.get_by_role("heading", name="Subscribe to Mixora Business")).to_be_visible()
    _pay(page)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Your Business plan is active.")).to_be_visible()
    process_events()  # what the worker does with the webhooks Stripe sent meanwhile


def test_owner_upgrades_through_checkout_and_sees_plan_usage_and_invoice(
    app,
    new_page,
    shot,
    demo,
    process_events,  # noqa: F811
):
    page = new_page()
    _open_billing(page, app, demo.owner)
    expect(page.locator("#billing-standing")).to_have_text("You are on the Free plan.")
    expect(page.locator(".usage", has_text="Connected social accounts")).to_contain_text("2 of 2")
    shot(page, "1-free")

    page.get_by_role("link", name=re.compile("Yearly")).click()
    expect(page.locator("article", has_text="Business")).to_contain_text("$490")
    page.get_by_role("link", name="Monthly").click()
    page.locator("article", has_text="Business").get_by_role(
        "button", name="Upgrade to Business"
    ).click()

    # Stripe's hosted page (the emulator's): a declined card first, then a good one.
    expect(page.get_by_role("heading", name="Subscribe to Mixora Business")).to_be_visible()
    _pay(page, "4000000000000002")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text(re.compile("declined", re.IGNORECASE))).to_be_visible()
    assert billing_account(demo).status == SubscriptionStatus.NONE
    shot(page, "2-checkout-declined")
    _pay(page)
    page.get_by_role("button", name="Subscribe").click()

    # Back on Mixora: the plan as Stripe reports it, the new limits, the first invoice.
    expect(page.get_by_text("Your Business plan is active.")).to_be_visible()
    expect(page.locator(".billing-plan")).to_contain_text("Business")
    expect(page.locator(".billing-status")).to_have_text("Active")
    expect(page.locator("#billing-standing")).to_contain_text(
        re.compile(r"^Renews on \d+ \w+ \d{4} at \$49/month\.$")
    )
    expect(page.locator(".usage", has_text="Connected social accounts")).to_contain_text("2 of 30")
    invoice = page.locator("#invoices tbody tr")
    expect(invoice).to_have_count(1)
    expect(invoice).to_contain_text("$49")
    expect(invoice).to_contain_text("Paid")
    expect(invoice.get_by_role("link", name=re.compile("^View"))).to_have_attribute(
        "href", re.compile(r"/stripe/invoice/in_")
    )
    expect(invoice.get_by_role("link", name=re.compile("^PDF"))).to_have_attribute(
        "href", re.compile(r"/stripe/invoice/in_\w+/pdf")
    )
    shot(page, "3-business-active")
    account = billing_account(demo)
    assert (account.status, account.plan.code) == (SubscriptionStatus.ACTIVE, "business")
    # The webhooks agree with what the return page mirrored.
    assert process_events()
    account.refresh_from_db()
    assert account.status == SubscriptionStatus.ACTIVE

    phone = new_page(width=390, height=844)
    _log_in(phone, app, demo.owner)
    phone.goto(f"{app}/w/demo-co/billing/")
    shot(phone, "4-phone")
    # Nothing wider than the phone: the invoices table scrolls inside its card.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_failed_renewal_warns_everyone_and_the_portal_restores_it(
    app,
    new_page,
    shot,
    demo,
    stripe_emulator,  # noqa: F811
    process_events,  # noqa: F811
):
    page = new_page()
    _subscribe_in_browser(page, app, demo, process_events)
    account = billing_account(demo)
    mail.outbox.clear()

    # The card now declines; the clock passes the end of the period: the renewal fails.
    stripe_emulator.card(account.stripe_customer_id, "decline")
    stripe_emulator.advance(days=32)  # the period ends; the invoice is charged an hour later
    process_events()
    account.refresh_from_db()
    assert account.status == SubscriptionStatus.PAST_DUE

    # The owners are emailed the hosted invoice link, once.
    [email] = mail.outbox
    assert email.to == [demo.owner.email]
    assert email.subject.startswith("Payment failed for Demo Co: update your card by ")
    failed = account.workspace.invoices.get(status="open")
    assert failed.hosted_invoice_url in email.body

    # Every member sees the banner; only the owner gets the button.
    editor = new_page()
    _log_in(editor, app, demo.editor)
    banner = editor.locator(".billing-banner")
    expect(banner).to_contain_text("Payment failed")
    expect(banner).to_contain_text("An owner needs to update the card by ")
    expect(banner.get_by_role("link")).to_have_count(0)
    shot(editor, "1-editor-banner")
    # ...and an editor may not open the billing page.
    response = editor.goto(f"{app}/w/demo-co/billing/")
    assert response.status == 403
    expect(editor.get_by_text("Your role in this workspace does not allow this")).to_be_visible()
    shot(editor, "2-editor-403")

    page.goto(f"{app}/w/demo-co/")
    owner_banner = page.locator(".billing-banner")
    expect(owner_banner).to_contain_text(re.compile(r"Update the card by \d+ \w+ \d{4}"))
    shot(page, "3-owner-banner")
    owner_banner.get_by_role("link", name="Update card").click()
    expect(page.locator(".billing-status")).to_have_text("Payment failed")
    expect(page.locator("#invoices")).to_contain_text("Open")
    shot(page, "4-billing-past-due")

    # The card is updated in Stripe's portal: the open invoice is paid at once.
    page.locator(".billing-plan").get_by_role("button", name="Update card").click()
    expect(page.get_by_role("heading", name="Update payment method")).to_be_visible()
    _pay(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/w/demo-co/billing/$"))
    process_events()
    page.reload()
    expect(page.locator(".billing-status")).to_have_text("Active")
    expect(page.locator(".billing-banner")).to_have_count(0)
    expect(page.locator("#invoices tbody tr").first).to_contain_text("Paid")
    account.refresh_from_db()
    assert (account.status, account.past_due_since) == (SubscriptionStatus.ACTIVE, None)
    shot(page, "5-restored")
    editor.goto(f"{app}/w/demo-co/")
    expect(editor.locator(".billing-banner")).to_have_count(0)


def test_cancel_at_period_end_in_the_portal_reads_canceling_on(
    app,
    new_page,
    shot,
    demo,
    process_events,  # noqa: F811
):
    page = new_page()
    _subscribe_in_browser(page, app, demo, process_events)

    page.locator(".billing-plan").get_by_role("button", name="Cancel subscription").click()
    expect(page.get_by_role("heading", name="Cancel your subscription")).to_be_visible()
    page.get_by_role("button", name="Cancel subscription").click()
    page.wait_for_url(re.compile(r"/w/demo-co/billing/$"))
    process_events()
    page.reload()

    account = billing_account(demo)
    assert (account.status, account.cancel_at_period_end) == (SubscriptionStatus.ACTIVE, True)
    expect(page.locator(".billing-status")).to_have_text("Canceling")
    expect(page.locator("#billing-standing")).to_contain_text(
        re.compile(r"^Canceling on \d+ \w+ \d{4}\. Business stays on until then")
    )
    expect(page.get_by_role("button", name="Keep my plan")).to_be_visible()
    shot(page, "canceling")


def test_the_return_page_waits_for_stripe_then_shows_the_plan(
    app,
    new_page,
    shot,
    demo,
    stripe_emulator,  # noqa: F811
):
    page = new_page()
    _open_billing(page, app, demo.owner)
    page.locator("article", has_text="Pro").get_by_role("button", name="Start free trial").click()
    expect(page.get_by_role("heading", name="Subscribe to Mixora Pro")).to_be_visible()
    session_id = page.url.rsplit("/", 1)[1]

    # Back on Mixora before Stripe has a subscription (the person paid in another tab, say):
    # the page waits and checks again by itself; the redirect alone grants nothing.
    page.goto(f"{app}/w/demo-co/billing/return/?session_id={session_id}")
    expect(page.get_by_role("heading", name="Activating your plan…")).to_be_visible()
    assert billing_account(demo).status == SubscriptionStatus.NONE
    shot(page, "activating")
    stripe_emulator.control(f"checkout/{session_id}/complete", {})

    expect(page.get_by_text("Your Pro trial has started.")).to_be_visible(timeout=10_000)
    expect(page.locator(".billing-status")).to_have_text("Trial")
    expect(page.locator("#billing-standing")).to_contain_text(
        re.compile(r"^Trial ends in 14 days \(\d+ \w+ \d{4}\), then \$19/month\.$")
    )
    shot(page, "trialing")
