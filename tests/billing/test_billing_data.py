"""A person's billing records: in their export for the workspaces they own (nothing of the
others'); Stripe's raw events naming a deleted person are cut down at once; the retention
table keeps invoices 10 years and events 90 days; a deleted workspace stops paying."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.deletion import delete_workspace, start_account_deletion
from accounts.roles import Role
from billing.accounts import billing_account
from billing.models import BillingAccount, Invoice, StripeEvent, SubscriptionStatus
from billing.plans import seed_plans
from billing.sync import sync_subscription
from retention import engine
from retention.rules import RULES, public_rows
from tests.exports.conftest import built, open_zip
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory


def invoice(workspace, number: str, created: datetime) -> Invoice:
    return Invoice.objects.create(
        workspace=workspace,
        stripe_invoice_id=f"in_{number}",
        number=number,
        status="paid",
        amount_due=1900,
        amount_paid=1900,
        hosted_invoice_url=f"https://invoice.stripe.test/{number}",
        invoice_pdf=f"https://invoice.stripe.test/{number}/pdf",
        created=created,
    )


def test_the_export_holds_the_billing_of_workspaces_the_person_owns(db, make_member):
    plans = {plan.code: plan for plan in seed_plans(with_stripe=False)}
    owned, joined = WorkspaceFactory(name="Pat's Bakery"), WorkspaceFactory(name="Team Co")
    person = make_member(owned, Role.OWNER)
    make_member(joined, Role.OWNER)
    MembershipFactory(workspace=joined, user=person, role=Role.ADMIN)
    for workspace in (owned, joined):
        BillingAccount.objects.create(
            workspace=workspace, plan=plans["pro"], status=SubscriptionStatus.ACTIVE
        )
    invoice(owned, "PAT-1", datetime(2026, 4, 1, tzinfo=UTC))
    invoice(owned, "PAT-2", datetime(2026, 5, 1, tzinfo=UTC))
    invoice(joined, "TEAM-1", datetime(2026, 5, 1, tzinfo=UTC))

    archive = open_zip(built(person))
    document = json.loads(archive.read("billing.json"))

    [record] = document["records"]
    assert (record["workspace_name"], record["plan"], record["status"]) == (
        "Pat's Bakery",
        "Pro",
        "Active",
    )
    assert [i["number"] for i in record["invoices"]] == ["PAT-1", "PAT-2"]
    assert record["invoices"][0]["invoice_pdf"] == "https://invoice.stripe.test/PAT-1/pdf"
    assert "TEAM-1" not in archive.read("billing.json").decode()
    assert "never stored by Mixora" in document["about"]


def test_stripe_events_naming_a_deleted_person_are_cut_down_at_once(db):
    person = UserFactory(email="pat@acme.test")
    naming = StripeEvent.objects.create(
        event_id="evt_pat",
        type="checkout.session.completed",
        created=1,
        payload={"data": {"object": {"customer_details": {"email": "PAT@acme.test"}}}},
    )
    other = StripeEvent.objects.create(
        event_id="evt_other", type="invoice.paid", created=2, payload={"data": {"object": {}}}
    )

    start_account_deletion(person)

    naming.refresh_from_db()
    other.refresh_from_db()
    assert naming.payload == {
        "id": "evt_pat",
        "type": "checkout.session.completed",
        "redacted": True,
    }
    assert other.payload == {"data": {"object": {}}}


def test_invoices_are_kept_10_years_and_stripe_events_90_days_after_processing(db):
    workspace = WorkspaceFactory()
    now = timezone.now()
    old, recent = (
        invoice(workspace, "OLD", now - timedelta(days=3654)),
        invoice(workspace, "NEW", now - timedelta(days=3650)),
    )
    done = StripeEvent.objects.create(
        event_id="evt_done", type="invoice.paid", created=1, payload={}
    )
    StripeEvent.objects.filter(pk=done.pk).update(processed_at=now - timedelta(days=91))
    fresh = StripeEvent.objects.create(
        event_id="evt_fresh", type="invoice.paid", created=2, payload={}, processed_at=now
    )
    pending = StripeEvent.objects.create(
        event_id="evt_pending", type="invoice.paid", created=3, payload={}
    )
    StripeEvent.objects.filter(pk=pending.pk).update(received_at=now - timedelta(days=200))

    for rule in RULES:
        if rule.model in ("billing.Invoice", "billing.StripeEvent"):
            engine.apply(rule, now)

    assert list(Invoice.objects.all()) == [recent]
    assert not Invoice.objects.filter(pk=old.pk).exists()
    assert set(StripeEvent.objects.values_list("event_id", flat=True)) == {
        fresh.event_id,
        pending.event_id,
    }
    rows = {name: period for name, period, _ends in public_rows()}
    assert any(
        "Invoices" in name and period == "10 years after the invoice (accounting law)"
        for name, period in rows.items()
    )


@pytest.mark.django_db(transaction=True)
def test_a_deleted_workspace_stops_paying(stripe_emulator, stripe_plans, make_member):
    workspace = WorkspaceFactory()
    owner = make_member(workspace, Role.OWNER)
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    account = sync_subscription(account)
    assert account.status == SubscriptionStatus.ACTIVE

    delete_workspace(workspace, actor=owner)

    account = sync_subscription(account)
    assert account.status == SubscriptionStatus.CANCELED
