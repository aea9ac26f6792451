"""Billing in the support desk: support staff see each workspace's plan, status and invoices
read-only, and neither plans' settings nor Stripe's raw events; superusers edit plan names and
limits (prices come from Stripe) and read the events; nobody adds, changes or deletes the
Stripe mirrors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from billing.models import BillingAccount, Invoice, StripeEvent, SubscriptionStatus
from billing.plans import seed_plans
from support.groups import SUPPORT_GROUP
from tests.factories import UserFactory, WorkspaceFactory


@pytest.fixture
def billing(db):
    plans = {plan.code: plan for plan in seed_plans(with_stripe=False)}
    workspace = WorkspaceFactory(name="Acme Bakery")
    account = BillingAccount.objects.create(
        workspace=workspace,
        plan=plans["pro"],
        status=SubscriptionStatus.PAST_DUE,
        stripe_customer_id="cus_acme",
        stripe_subscription_id="sub_acme",
    )
    invoice = Invoice.objects.create(
        workspace=workspace,
        stripe_invoice_id="in_acme",
        number="ACME-0001",
        status="open",
        amount_due=1900,
        hosted_invoice_url="https://invoice.stripe.test/i/acme",
        invoice_pdf="https://invoice.stripe.test/i/acme/pdf",
        created=datetime(2026, 5, 1, tzinfo=UTC),
    )
    event = StripeEvent.objects.create(
        event_id="evt_acme", type="invoice.payment_failed", created=1, payload={"id": "evt_acme"}
    )
    return account, invoice, event, plans


def logged_in(**fields: object) -> Client:
    client = Client()
    client.force_login(UserFactory(**fields))
    return client


@pytest.fixture
def support() -> Client:
    client = Client()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(staff)
    return client


def test_support_sees_plan_status_and_invoices_read_only(billing, support):
    account, invoice, _event, _plans = billing
    listing = support.get("/admin/billing/billingaccount/").content.decode()
    assert "Acme Bakery" in listing
    assert "Past due" in listing

    page = support.get(f"/admin/billing/billingaccount/{account.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 invoice(s)" in html
    assert 'name="_save"' not in html  # a view, not a form

    invoices = support.get(f"/admin/billing/invoice/?workspace__id__exact={account.workspace_id}")
    assert "ACME-0001" in invoices.content.decode()
    detail = support.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()
    assert 'href="https://invoice.stripe.test/i/acme/pdf"' in detail

    changed = support.post(
        f"/admin/billing/billingaccount/{account.pk}/change/", {"status": "active"}
    )
    assert changed.status_code == 403
    assert support.post(f"/admin/billing/invoice/{invoice.pk}/delete/").status_code == 403
    account.refresh_from_db()
    assert account.status == SubscriptionStatus.PAST_DUE


def test_support_cannot_see_plans_settings_or_stripe_events(billing, support):
    assert support.get("/admin/billing/plan/").status_code == 403
    assert support.get("/admin/billing/stripeevent/").status_code == 403
    index = support.get("/admin/").content.decode()
    assert "Billing accounts" in index
    assert "Stripe events" not in index


def test_superusers_edit_plan_names_and_limits_but_not_prices(billing):
    *_, plans = billing
    admin = logged_in(is_staff=True, is_superuser=True)
    pro = plans["pro"]
    response = admin.post(
        f"/admin/billing/plan/{pro.pk}/change/",
        {
            "name": "Pro Team",
            "description": pro.description,
            "is_public": "on",
            "sort_order": 1,
            "max_social_accounts": 12,
            "max_members": "",
            "max_scheduled_posts_month": "",
            "ai_credits_month": "",
            "inbox_enabled": "on",
            "trial_days": 14,
            "price_monthly": 1,  # read-only: ignored
            "stripe_price_monthly": "price_forged",
        },
    )
    assert response.status_code == 302
    pro.refresh_from_db()
    assert (pro.name, pro.max_social_accounts, pro.max_members) == ("Pro Team", 12, None)
    assert (pro.price_monthly, pro.stripe_price_monthly) == (1900, "")
    assert admin.get("/admin/billing/plan/add/").status_code == 403
    assert admin.get(f"/admin/billing/plan/{pro.pk}/delete/").status_code == 403


def test_superusers_read_stripe_events_but_change_no_mirror(billing):
    account, invoice, event, _plans = billing
    admin = logged_in(is_staff=True, is_superuser=True)
    assert "evt_acme" in admin.get("/admin/billing/stripeevent/").content.decode()
    assert admin.get(f"/admin/billing/stripeevent/{event.pk}/change/").status_code == 200
    assert admin.post(f"/admin/billing/stripeevent/{event.pk}/delete/").status_code == 403
    assert admin.get("/admin/billing/billingaccount/add/").status_code == 403
    assert admin.get("/admin/billing/invoice/add/").status_code == 403
    assert admin.post(f"/admin/billing/invoice/{invoice.pk}/delete/").status_code == 403


def test_ordinary_staff_without_permissions_see_nothing(billing):
    account, *_ = billing
    staff = logged_in(is_staff=True)
    assert staff.get(f"/admin/billing/billingaccount/{account.pk}/change/").status_code == 403
    assert staff.get("/admin/billing/stripeevent/").status_code == 403
