"""Support staff look up a workspace's billing in the admin: plan, status and invoices, with
the links to Stripe's invoice pages, and nothing to edit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from billing.models import BillingAccount, Invoice, SubscriptionStatus
from billing.plans import seed_plans
from support.groups import SUPPORT_GROUP, ensure_support_group
from tests.factories import PASSWORD, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_support_staff_read_a_workspaces_plan_status_and_invoices(app, new_page, shot):
    plans = {plan.code: plan for plan in seed_plans(with_stripe=False)}
    workspace = WorkspaceFactory(name="Acme Bakery")
    BillingAccount.objects.create(
        workspace=workspace,
        plan=plans["pro"],
        status=SubscriptionStatus.PAST_DUE,
        interval="month",
        stripe_customer_id="cus_acme",
        stripe_subscription_id="sub_acme",
        past_due_since=datetime(2026, 5, 3, tzinfo=UTC),
    )
    Invoice.objects.create(
        workspace=workspace,
        stripe_invoice_id="in_acme",
        number="ACME-0002",
        status="open",
        amount_due=1900,
        attempt_count=1,
        hosted_invoice_url="https://invoice.stripe.test/i/acme",
        invoice_pdf="https://invoice.stripe.test/i/acme/pdf",
        created=datetime(2026, 5, 3, tzinfo=UTC),
    )
    staff = UserFactory(email="agent@mixora.test", is_staff=True)
    ensure_support_group(apps)  # the live-server tests start from a flushed database
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))

    page = new_page()
    page.goto(f"{app}/admin/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Billing accounts").click()
    row = page.get_by_role("row", name="Acme Bakery")
    expect(row).to_contain_text("Past due")
    expect(row).to_contain_text("Pro")
    expect(page.get_by_role("link", name="Stripe events")).to_have_count(0)
    row.get_by_role("link", name="Acme Bakery").click()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)  # read-only
    shot(page, "1-billing-account")

    page.get_by_role("link", name="1 invoice(s)").click()
    expect(page.get_by_role("row", name="ACME-0002")).to_contain_text("open")
    page.get_by_role("link", name="ACME-0002").click()
    expect(page.get_by_role("link", name="https://invoice.stripe.test/i/acme/pdf")).to_be_visible()
    shot(page, "2-invoice")
