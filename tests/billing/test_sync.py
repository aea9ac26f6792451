"""sync_subscription mirrors what the emulator's Stripe says (through the real SDK): status,
plan from the item's price, interval, period end from the item, trial end, the cancel flag,
since when a payment is overdue, and the invoices; and the whole walk a paying workspace can
take: active → past_due (banner, then read-only) → paid → canceled → Free, over its limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from billing.accounts import billing_account, ensure_customer
from billing.entitlements import access_state
from billing.models import BillingAccount, Invoice, SubscriptionStatus
from billing.plans import seed_plans
from billing.stripe_client import BillingUnavailable, client
from billing.sync import sync_subscription, upsert_invoice
from mixora import limits
from tests.factories import WorkspaceFactory

S = SubscriptionStatus


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="acme")


def test_a_trial_is_mirrored_from_the_subscription_and_its_item(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    subscription_id = stripe_emulator.subscribe(account, stripe_plans["pro"], "month")
    account.refresh_from_db()
    assert account.status == S.NONE  # nothing is mirrored until a sync

    account = sync_subscription(account)

    subscription = client().v1.subscriptions.retrieve(subscription_id)
    item = subscription["items"].data[0]
    assert (account.status, account.plan.code, account.interval) == (S.TRIALING, "pro", "month")
    assert account.stripe_subscription_id == subscription_id
    assert account.current_period_end == datetime.fromtimestamp(item.current_period_end, UTC)
    assert account.trial_end == datetime.fromtimestamp(subscription.trial_end, UTC)
    assert account.cancel_at_period_end is False
    assert account.synced_at is not None
    assert access_state(account) == "full"
    assert limits.entitlements(workspace).plan_name == "Pro"
    assert Invoice.objects.filter(workspace=workspace, amount_due=0).count() == 1


def test_past_due_then_paid_then_canceled_back_to_free_over_its_limits(
    workspace,
    stripe_emulator,
    stripe_plans,
    make_member,
    settings,
    django_capture_on_commit_callbacks,
):
    owner = make_member(workspace, Role.OWNER)
    for _ in range(2):  # three members: one over the Free plan's two
        make_member(workspace, Role.EDITOR)
    account = billing_account(workspace)
    subscription_id = stripe_emulator.subscribe(account, stripe_plans["business"])
    account = sync_subscription(account)
    assert (account.status, account.plan.code) == (S.ACTIVE, "business")
    assert account.over_limit_since is None

    # The renewal's payment fails: full access with a banner, for the grace days.
    stripe_emulator.card(account.stripe_customer_id, "decline")
    stripe_emulator.advance(days=32)
    account = sync_subscription(account)
    assert account.status == S.PAST_DUE
    assert account.past_due_since is not None
    assert access_state(account) == "grace"
    limits.require(workspace, limits.MEMBERS, in_use=3)  # Business limits still apply
    unpaid = Invoice.objects.get(workspace=workspace, status="open")
    assert unpaid.attempt_count == 1

    # Past the grace: read-only (a later sync keeps when it started).
    failed = timezone.now() - timedelta(days=settings.PAST_DUE_GRACE_DAYS, hours=1)
    BillingAccount.objects.filter(pk=account.pk).update(past_due_since=failed)
    account = sync_subscription(account)
    assert account.past_due_since == failed
    assert access_state(account) == "read_only"
    with pytest.raises(limits.ReadOnlyWorkspace, match="Nothing is lost"):
        limits.require(workspace, limits.MEMBERS, in_use=3)

    # The card is fixed and the invoice paid: full access again at the next sync.
    stripe_emulator.card(account.stripe_customer_id, "succeed")
    client().v1.invoices.pay(unpaid.stripe_invoice_id)
    account = sync_subscription(account)
    assert (account.status, account.past_due_since) == (S.ACTIVE, None)
    assert access_state(account) == "full"
    unpaid.refresh_from_db()
    assert unpaid.status == "paid"

    # Canceled: the Free plan, nothing deleted, the owners told what to remove.
    mail.outbox.clear()
    client().v1.subscriptions.cancel(subscription_id)
    with django_capture_on_commit_callbacks(execute=True):  # mail goes after the commit
        account = sync_subscription(account)
    assert (account.status, account.plan.code) == (S.CANCELED, "free")
    assert access_state(account) == "free"
    assert limits.entitlements(workspace).limit(limits.MEMBERS) == 2
    account.refresh_from_db()  # the over-limit grace started after the commit
    assert account.over_limit_since is not None
    over = [m for m in mail.outbox if "3 team members" in m.body]
    assert [m.to for m in over] == [[owner.email]]
    assert workspace.memberships.count() == 3

    # Syncing again changes nothing and tells nobody twice.
    since = account.over_limit_since
    with django_capture_on_commit_callbacks(execute=True):
        sync_subscription(account)
    account.refresh_from_db()
    assert account.over_limit_since == since
    assert len([m for m in mail.outbox if "3 team members" in m.body]) == 1


def test_a_plan_change_and_a_cancel_at_period_end_are_mirrored(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    subscription_id = stripe_emulator.subscribe(account, stripe_plans["business"])
    item = client().v1.subscriptions.retrieve(subscription_id)["items"].data[0]
    client().v1.subscriptions.update(
        subscription_id,
        params={
            "items": [{"id": item.id, "price": stripe_plans["pro"].stripe_price_yearly}],
            "proration_behavior": "create_prorations",
            "cancel_at_period_end": True,
        },
    )
    account = sync_subscription(account)
    assert (account.plan.code, account.interval) == ("pro", "year")
    assert account.cancel_at_period_end is True
    assert access_state(account) == "full"

    stripe_emulator.advance(days=370)
    account = sync_subscription(account)
    assert (account.status, account.plan.code, account.cancel_at_period_end) == (
        S.CANCELED,
        "free",
        False,
    )


def test_a_new_subscription_after_a_cancel_wins_over_the_old_one(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    first = stripe_emulator.subscribe(account, stripe_plans["business"])
    client().v1.subscriptions.cancel(first)
    account = sync_subscription(account)
    second = stripe_emulator.subscribe(account, stripe_plans["pro"])
    account = sync_subscription(account)
    assert (account.stripe_subscription_id, account.status) == (second, S.TRIALING)


def test_when_stripe_fails_nothing_changes_and_the_person_gets_a_clear_message(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    stripe_emulator.control(
        "faults", {"endpoint": "stripe.subscriptions.list", "kind": "server", "count": 1}
    )
    with pytest.raises(BillingUnavailable, match="nothing was changed"):
        sync_subscription(account)
    account.refresh_from_db()
    assert (account.status, account.synced_at) == (S.NONE, None)


def test_a_workspace_without_a_customer_has_nothing_to_sync(workspace, stripe_emulator):
    seed_plans(with_stripe=False)
    account = sync_subscription(billing_account(workspace))
    assert (account.status, account.plan.code) == (S.NONE, "free")


def test_an_invoice_stored_for_another_workspace_is_never_moved(workspace, db):
    seed_plans(with_stripe=False)
    other = WorkspaceFactory()
    invoice = {"id": "in_1", "status": "paid", "amount_paid": 100, "created": 1_700_000_000}
    assert upsert_invoice(other, invoice).workspace == other
    assert upsert_invoice(workspace, {**invoice, "amount_paid": 1}) is None
    assert Invoice.objects.get().amount_paid == 100


def test_a_workspace_gets_one_stripe_customer_even_from_concurrent_first_checkouts(
    workspace, stripe_emulator
):
    seed_plans(with_stripe=False)
    account = billing_account(workspace)
    concurrent = BillingAccount.objects.get(pk=account.pk)  # read before either stored an id

    first = ensure_customer(account, email="owner@example.test")
    second = ensure_customer(concurrent, email="owner@example.test")

    assert first == second == BillingAccount.objects.get().stripe_customer_id
    [customer] = client().v1.customers.list().data
    assert (customer.id, customer.email) == (first, "owner@example.test")
    assert customer.name == workspace.name
    assert customer.metadata["workspace_id"] == str(workspace.pk)
