"""`/webhooks/stripe/`: only Stripe's signed events (either secret during a rotation, within
the tolerance, of our mode) are stored, once per id, and answered at once; the task acts on
each once, whatever the order, ignores (and logs) a customer named for another workspace, and
acknowledges types it does not act on. Real deliveries come from the emulator's Stripe."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

import pytest
import stripe
from django.conf import settings
from django.core import mail

from billing import events
from billing.models import BillingAccount, Invoice, StripeEvent, SubscriptionStatus
from billing.plans import free_plan
from billing.stripe_client import BillingUnavailable
from tests.factories import WorkspaceFactory

URL = "/webhooks/stripe/"
STALE = timedelta(minutes=5)
CURRENT, PREVIOUS = settings.STRIPE_WEBHOOK_SECRETS


def event(kind: str = "invoice.paid", obj: dict | None = None, **fields: object) -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj or {"object": "invoice", "id": "in_1", "customer": "cus_1"}},
        **fields,
    }


def post(client, payload: object, secret: str = CURRENT, timestamp: int | None = None, body=None):
    body = body if body is not None else json.dumps(payload)
    signature = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    return client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


# --- Verification -------------------------------------------------------------------------


def test_unsigned_forged_or_garbled_posts_get_400_and_store_nothing(client, db):
    body = json.dumps(event())
    assert client.post(URL, data=body, content_type="application/json").status_code == 400
    assert post(client, None, secret="whsec_forged", body=body).status_code == 400
    garbled = client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE="t=x,v1=zz"
    )
    assert garbled.status_code == 400
    # A valid signature over another body does not sign this one.
    signature = stripe.WebhookSignature.generate_signature_header(body + " ", CURRENT)
    tampered = client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert tampered.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signature_older_than_the_tolerance_is_refused(client, db):
    old = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE - 5
    assert post(client, event(), timestamp=old).status_code == 400
    assert not StripeEvent.objects.exists()
    recent = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE + 30
    assert post(client, event(), timestamp=recent).status_code == 200


def test_both_secrets_are_accepted_during_a_rotation_and_a_retired_one_is_not(client, db, settings):
    assert post(client, event(), secret=CURRENT).status_code == 200
    assert post(client, event(), secret=PREVIOUS).status_code == 200
    settings.STRIPE_WEBHOOK_SECRETS = [CURRENT]  # the rotation is over
    assert post(client, event(), secret=PREVIOUS).status_code == 400
    assert StripeEvent.objects.count() == 2


def test_signed_bodies_that_are_not_events_of_our_mode_get_400(client, db):
    assert post(client, None, body="{not json").status_code == 400
    assert post(client, [event()]).status_code == 400
    assert post(client, {"id": "evt_1", "type": "invoice.paid"}).status_code == 400
    assert post(client, event(livemode=True)).status_code == 400  # a live event, a test key
    assert not StripeEvent.objects.exists()


def test_an_oversized_body_is_refused_unread_and_only_post_is_allowed(client, db):
    huge = event(padding="x" * (1024 * 1024))
    assert post(client, huge).status_code == 413
    assert client.get(URL).status_code == 405
    assert not StripeEvent.objects.exists()


# --- Storing once, processing once ----------------------------------------------------------


def test_an_event_is_stored_then_queued_after_the_commit(
    client, db, celery_queue, django_capture_on_commit_callbacks
):
    payload = event("customer.subscription.updated")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload)
    assert response.status_code == 200
    assert response.json() == {"received": True}
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.payload) == (
        payload["id"],
        "customer.subscription.updated",
        payload,
    )
    assert stored.processed_at is None
    assert celery_queue() == [("billing.tasks.process_stripe_event", [stored.pk])]


def test_a_duplicate_delivery_stores_nothing_new_and_is_processed_once(
    client, db, django_capture_on_commit_callbacks
):
    payload = event("charge.refunded", {"object": "charge", "id": "ch_1"})
    assert post(client, payload).status_code == 200
    stored = StripeEvent.objects.get()
    assert events.process(stored.pk).startswith("acknowledged")
    with django_capture_on_commit_callbacks() as queued:
        assert post(client, payload).status_code == 200  # Stripe delivers at least once
    assert StripeEvent.objects.count() == 1
    assert queued == []  # processed already: nothing queued again
    assert events.process(stored.pk) == "already processed"
    stored.refresh_from_db()
    assert stored.attempts == 1


def test_an_unknown_type_is_stored_and_acknowledged_without_action(client, db):
    post(client, event("radar.early_fraud_warning.created", {"object": "radar", "id": "x"}))
    stored = StripeEvent.objects.get()
    assert events.process(stored.pk) == "acknowledged (not a billing event we act on)"
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.last_error == ""


def test_a_customer_named_for_another_workspace_is_ignored_and_logged(client, db, caplog):
    ours, theirs = WorkspaceFactory(), WorkspaceFactory()
    ours_account = BillingAccount.objects.create(
        workspace=ours, plan=free_plan(), stripe_customer_id="cus_ours"
    )
    BillingAccount.objects.create(workspace=theirs, plan=free_plan(), stripe_customer_id="cus_x")
    forged = {
        "object": "subscription",
        "id": "sub_theirs",
        "customer": "cus_x",
        "status": "active",
        "metadata": {"workspace_id": str(ours.pk)},
    }
    unknown = {**forged, "customer": "cus_unknown"}
    post(client, event("customer.subscription.updated", forged))
    post(client, event("customer.subscription.created", unknown))

    with caplog.at_level(logging.WARNING, logger="billing.events"):
        outcomes = [events.process(pk) for pk in StripeEvent.objects.values_list("pk", flat=True)]

    assert outcomes == ["ignored (no workspace of ours)"] * 2
    assert f"customer cus_x belongs to workspace {theirs.pk}, not {ours.pk}" in caplog.text
    assert f"customer cus_unknown names workspace {ours.pk}, whose customer is" in caplog.text
    ours_account.refresh_from_db()
    assert (ours_account.stripe_customer_id, ours_account.status) == ("cus_ours", "none")
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


# --- Real deliveries from the emulator's Stripe ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_checkout_deliveries_activate_the_plan_and_mirror_the_first_invoice(
    celery_queue, stripe_webhooks, stripe_emulator, stripe_plans, process_events
):
    workspace = WorkspaceFactory()
    account = BillingAccount.objects.create(workspace=workspace, plan=stripe_plans["free"])

    subscription = stripe_emulator.subscribe(account, stripe_plans["business"], "year")

    received = set(StripeEvent.objects.values_list("type", flat=True))
    assert {"checkout.session.completed", "customer.subscription.created", "invoice.paid"} <= (
        received
    )
    assert len(celery_queue()) == StripeEvent.objects.count()  # each queued on arrival
    process_events()
    account.refresh_from_db()
    assert (account.status, account.plan.code, account.interval) == ("active", "business", "year")
    assert account.stripe_subscription_id == subscription
    assert account.current_period_end is not None
    invoice = Invoice.objects.get(workspace=workspace)
    assert (invoice.status, invoice.amount_paid) == ("paid", 49000)
    assert invoice.hosted_invoice_url.startswith("http")
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_out_of_order_and_duplicate_deliveries_end_in_the_same_state(
    stripe_webhooks, stripe_emulator, stripe_plans, process_events
):
    workspace = WorkspaceFactory()
    account = BillingAccount.objects.create(workspace=workspace, plan=stripe_plans["free"])
    stripe_emulator.pause_webhooks()
    stripe_emulator.subscribe(account, stripe_plans["pro"])  # a trial
    stripe_emulator.pause_webhooks(False)

    # Newest first: subscription.updated / invoice.paid before checkout.session.completed.
    stripe_emulator.replay("reverse")
    arrived = list(StripeEvent.objects.order_by("pk").values_list("type", flat=True))
    assert arrived.index("checkout.session.completed") == len(arrived) - 1
    stripe_emulator.replay("duplicate")  # and every event once more
    assert StripeEvent.objects.count() == len(arrived)

    process_events()
    account.refresh_from_db()
    assert (account.status, account.plan.code) == (SubscriptionStatus.TRIALING, "pro")
    assert account.trial_end is not None
    assert account.last_event_created == max(StripeEvent.objects.values_list("created", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_failed_renewal_delivered_twice_emails_the_owners_once(
    stripe_webhooks, stripe_emulator, stripe_plans, process_events, make_member
):
    from accounts.roles import Role

    workspace = WorkspaceFactory()
    owner = make_member(workspace, Role.OWNER)
    account = BillingAccount.objects.create(workspace=workspace, plan=stripe_plans["free"])
    stripe_emulator.subscribe(account, stripe_plans["business"])
    process_events()
    account.refresh_from_db()
    mail.outbox.clear()

    stripe_emulator.card(account.stripe_customer_id, "decline")
    stripe_emulator.advance(days=32)  # past the period end: the renewal fails
    failed = StripeEvent.objects.filter(type="invoice.payment_failed")
    stripe_emulator.replay("duplicate", events=list(failed.values_list("event_id", flat=True)))
    process_events()

    account.refresh_from_db()
    assert account.status == SubscriptionStatus.PAST_DUE
    assert account.past_due_since is not None
    invoice = Invoice.objects.get(workspace=workspace, status="open")
    dunning = [m for m in mail.outbox if invoice.hosted_invoice_url in m.body]
    assert len(dunning) == 1
    assert dunning[0].to == [owner.email]


# --- The task ------------------------------------------------------------------------------


def test_a_stripe_failure_is_recorded_on_the_event_and_retried_by_the_task(
    client, db, stripe_emulator, stripe_plans
):
    from billing.accounts import billing_account
    from billing.tasks import process_stripe_event

    workspace = WorkspaceFactory()
    account = billing_account(workspace)
    stripe_emulator.subscribe(account, stripe_plans["business"])
    account.refresh_from_db()
    obj = {"object": "subscription", "id": "sub_1", "customer": account.stripe_customer_id}
    post(client, event("customer.subscription.updated", obj))
    stored = StripeEvent.objects.get(type="customer.subscription.updated")
    stripe_emulator.control(
        "faults", {"endpoint": "stripe.subscriptions.list", "kind": "server", "count": 1}
    )

    with pytest.raises(BillingUnavailable):
        events.process(stored.pk)
    stored.refresh_from_db()
    assert (stored.processed_at, stored.attempts) == (None, 1)
    assert stored.last_error.startswith("BillingUnavailable: Stripe could not")
    assert BillingUnavailable in process_stripe_event.autoretry_for

    assert events.process(stored.pk) == "synced: active"  # the retry
    stored.refresh_from_db()
    assert (stored.attempts, stored.last_error) == (2, "")
    assert stored.processed_at is not None


def test_events_left_unprocessed_are_queued_again_by_the_sweep(client, db, celery_queue):
    from billing.tasks import process_stale_events

    post(client, event("invoice.paid"))
    post(client, event("invoice.created"))
    stale, recent = StripeEvent.objects.order_by("pk")
    StripeEvent.objects.filter(pk=stale.pk).update(received_at=stale.received_at - STALE)
    StripeEvent.objects.filter(pk=recent.pk).update(received_at=recent.received_at - STALE)
    StripeEvent.objects.filter(pk=recent.pk).update(attempts=events.MAX_ATTEMPTS)  # given up

    assert process_stale_events() == 1
    assert celery_queue() == [("billing.tasks.process_stripe_event", [stale.pk])]


def test_production_refuses_billing_without_its_key_and_webhook_secret():
    from tests.test_healthz_and_settings import setup_django

    assert setup_django().returncode == 0  # billing off: nothing required
    refused = setup_django(BILLING_ENABLED="true", STRIPE_SECRET_KEY="sk_live_x")
    assert "BILLING_ENABLED needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS" in refused.stderr
    ready = setup_django(
        BILLING_ENABLED="true", STRIPE_SECRET_KEY="sk_live_x", STRIPE_WEBHOOK_SECRETS="whsec_1"
    )
    assert ready.returncode == 0, ready.stderr


@pytest.mark.django_db(transaction=True)
def test_the_upcoming_renewal_event_emails_the_owners_one_reminder(
    stripe_webhooks, stripe_emulator, stripe_plans, process_events, make_member
):
    from accounts.roles import Role

    stripe_emulator.control("settings", {"upcoming_days": 7})
    workspace = WorkspaceFactory()
    owner = make_member(workspace, Role.OWNER)
    account = BillingAccount.objects.create(workspace=workspace, plan=stripe_plans["business"])
    stripe_emulator.subscribe(account, stripe_plans["business"])
    process_events()
    mail.outbox.clear()

    stripe_emulator.advance(days=24)  # 7 days before the renewal of a monthly plan
    stripe_emulator.replay("duplicate", types=["invoice.upcoming"])
    process_events()

    assert StripeEvent.objects.filter(type="invoice.upcoming").count() == 1
    reminders = [m for m in mail.outbox if "renews on" in m.body]
    assert len(reminders) == 1
    assert reminders[0].to == [owner.email]
