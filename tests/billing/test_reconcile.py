"""The nightly reconcile repairs what missed webhooks left behind: events Stripe has and we
never received are stored and processed, every subscription is re-read, and a deleted
workspace's subscription still running is canceled."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from billing import reconcile as nightly
from billing.accounts import billing_account
from billing.models import BillingAccount, StripeEvent, SubscriptionStatus
from billing.stripe_client import client
from billing.sync import sync_subscription
from billing.tasks import reconcile_billing
from tests.factories import WorkspaceFactory

S = SubscriptionStatus


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


def test_a_checkout_whose_webhooks_were_all_missed_is_repaired(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])  # no endpoint: nothing arrives
    assert not StripeEvent.objects.exists()

    result = reconcile_billing()

    assert result["replayed"] >= 3
    assert result["failed"] == 0
    account.refresh_from_db()
    assert (account.status, account.plan.code) == (S.ACTIVE, "business")
    stored = StripeEvent.objects.all()
    assert "checkout.session.completed" in {event.type for event in stored}
    assert all(event.processed_at for event in stored)
    assert account.last_event_created == max(event.created for event in stored)

    # The next night finds nothing new to replay.
    assert reconcile_billing()["replayed"] == 0
    assert StripeEvent.objects.count() == stored.count()


def test_only_events_missing_since_the_newest_stored_one_are_replayed(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    nightly.reconcile()
    account.refresh_from_db()
    before = set(StripeEvent.objects.values_list("event_id", flat=True))

    # A missed update: the customer canceled at the period's end in the portal.
    client().v1.subscriptions.update(
        account.stripe_subscription_id, params={"cancel_at_period_end": True}
    )
    missed = nightly.missed_events()
    assert [event["type"] for event in missed] == ["customer.subscription.updated"]
    assert not before & {event["id"] for event in missed}

    nightly.reconcile()
    account.refresh_from_db()
    assert account.cancel_at_period_end is True


def test_every_subscription_is_re_read_even_without_events(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    account = sync_subscription(account)
    BillingAccount.objects.filter(pk=account.pk).update(status=S.PAST_DUE)  # a stale mirror
    StripeEvent.objects.create(  # and a newest event beyond anything Stripe lists
        event_id="evt_future", type="invoice.paid", created=2_000_000_000, payload={}
    )

    result = nightly.reconcile()

    assert (result.replayed, result.synced, result.failed) == (0, 1, 0)
    account.refresh_from_db()
    assert account.status == S.ACTIVE


def test_a_deleted_workspaces_running_subscription_is_canceled(
    workspace, stripe_emulator, stripe_plans
):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    account = sync_subscription(account)
    workspace.deleted_at = timezone.now()
    workspace.save(update_fields=["deleted_at"])

    nightly.reconcile()

    account.refresh_from_db()
    assert account.status == S.CANCELED


def test_stripe_down_is_counted_and_logged_not_fatal(workspace, stripe_emulator, stripe_plans):
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    account = sync_subscription(account)
    for endpoint in ("stripe.events.list", "stripe.subscriptions.list"):
        stripe_emulator.control("faults", {"endpoint": endpoint, "kind": "server", "count": 1})

    result = nightly.reconcile()

    assert (result.synced, result.failed) == (0, 2)
    assert settings.CELERY_BEAT_SCHEDULE["reconcile-billing"]["task"] == (
        "billing.tasks.reconcile_billing"
    )
