"""The Stripe test clock: renewals, failed payments and their retries, trials and
cancellation at the period end."""

from __future__ import annotations

import pytest
import requests
import stripe

from tests.emulator.stripe_support import (
    advance,
    card_form,
    catalogue,
    client_for,
    event_types,
    start_checkout,
    submit,
    subscribe,
)

DAY = 86_400


@pytest.fixture
def client(emulator) -> stripe.StripeClient:
    return client_for(emulator)


def latest_invoice(client, subscription_id: str) -> stripe.Invoice:
    return client.v1.invoices.retrieve(
        client.v1.subscriptions.retrieve(subscription_id).latest_invoice
    )


def test_a_renewal_starts_the_next_period_and_charges_an_hour_after_the_invoice(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end
    now = emulator.control("GET", "stripe/clock")["now"]

    at_renewal = advance(emulator, to=period_end)

    renewed = client.v1.subscriptions.retrieve(subscription.id)
    assert renewed["items"].data[0].current_period_start == period_end
    assert 28 * DAY <= renewed["items"].data[0].current_period_end - period_end <= 31 * DAY
    assert at_renewal == ["customer.subscription.updated", "invoice.created"]
    draft = latest_invoice(client, subscription.id)
    assert (draft.status, draft.number, draft.hosted_invoice_url) == ("draft", None, None)
    assert draft.automatically_finalizes_at == period_end + 3600
    assert draft.billing_reason == "subscription_cycle"
    assert (draft.period_start, draft.period_end) == (period_end, period_end)

    an_hour_later = advance(emulator, seconds=3600)

    assert an_hour_later == ["invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]
    paid = client.v1.invoices.retrieve(draft.id)
    assert (paid.status, paid.amount_paid, paid.attempt_count) == ("paid", 2900, 1)
    assert paid.number.endswith("-0002")
    assert paid.lines.data[0].period.start == period_end
    assert period_end > now


def test_a_failed_renewal_is_retried_then_the_subscription_is_canceled(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})

    advance(emulator, to=period_end + 3600)

    past_due = client.v1.subscriptions.retrieve(subscription.id)
    assert past_due.status == "past_due"
    invoice = latest_invoice(client, subscription.id)
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    failed_at = period_end + 3600
    assert invoice.next_payment_attempt == failed_at + 3 * DAY
    failure = client.v1.events.list(params={"type": "invoice.payment_failed"}).data[0]
    assert failure.data.object.hosted_invoice_url == invoice.hosted_invoice_url
    update = client.v1.events.list(params={"type": "customer.subscription.updated"}).data[0]
    assert update.data.previous_attributes["status"] == "active"

    advance(emulator, days=3)
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 2
    assert client.v1.invoices.retrieve(invoice.id).next_payment_attempt == failed_at + 5 * DAY
    advance(emulator, days=2)
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 3
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"

    last = advance(emulator, days=2)

    assert last == [
        "invoice.payment_failed",
        "customer.subscription.deleted",
    ]
    canceled = client.v1.subscriptions.retrieve(subscription.id)
    assert canceled.status == "canceled"
    assert canceled.cancellation_details.reason == "payment_failed"
    final = client.v1.invoices.retrieve(invoice.id)
    assert (final.status, final.attempt_count, final.next_payment_attempt) == ("open", 4, None)


def test_a_retry_succeeds_once_the_card_works_again(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})
    advance(emulator, to=period_end + 3600)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "succeed"})

    events = advance(emulator, days=3)

    assert events == [
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"
    assert latest_invoice(client, subscription.id).attempt_count == 2


def test_after_retries_can_leave_the_subscription_unpaid(client, emulator):
    emulator.control("POST", "stripe/settings", {"retry_days": [1], "after_retries": "unpaid"})
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})

    advance(emulator, days=33)

    assert client.v1.subscriptions.retrieve(subscription.id).status == "unpaid"
    assert latest_invoice(client, subscription.id).attempt_count == 2


def test_an_authentication_required_renewal_asks_for_action(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "authenticate"})

    events = advance(emulator, days=32)

    assert "invoice.payment_action_required" in events
    assert "invoice.payment_failed" not in events
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"


def test_a_trial_warns_three_days_before_its_end_then_bills(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(
        client, prices.pro_monthly, subscription_data={"trial_period_days": 14}
    )
    assert subscription.status == "trialing"
    trial_end = subscription.trial_end

    assert advance(emulator, days=10) == []
    assert advance(emulator, days=1) == ["customer.subscription.trial_will_end"]
    ending = advance(emulator, to=trial_end + 3600)

    assert ending == [
        "customer.subscription.updated",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    active = client.v1.subscriptions.retrieve(subscription.id)
    assert active.status == "active"
    assert active["items"].data[0].current_period_start == trial_end
    invoice = client.v1.invoices.retrieve(active.latest_invoice)
    assert (invoice.status, invoice.amount_paid) == ("paid", 2900)


def test_a_short_trial_warns_at_once(client):
    prices = catalogue(client)
    subscribe(client, prices.pro_monthly, subscription_data={"trial_period_days": 2})

    assert "customer.subscription.trial_will_end" in event_types(client)


@pytest.mark.parametrize(
    ("behaviour", "status", "last_event"),
    [
        ("cancel", "canceled", "customer.subscription.deleted"),
        ("pause", "paused", "customer.subscription.paused"),
        ("create_invoice", "past_due", "customer.subscription.updated"),
    ],
)
def test_a_trial_ending_without_a_card_follows_its_end_behaviour(
    client, emulator, behaviour, status, last_event
):
    prices = catalogue(client)
    customer = client.v1.customers.create(params={"email": "owner@example.test"})
    session = start_checkout(
        client,
        prices.pro_monthly,
        customer.id,
        payment_method_collection="if_required",
        subscription_data={
            "trial_period_days": 7,
            "trial_settings": {"end_behavior": {"missing_payment_method": behaviour}},
        },
    )
    submit(session.url, {"name": "Dana"})

    events = advance(emulator, days=7)
    events += advance(emulator, seconds=3600)

    subscription = client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )
    assert subscription.status == status
    assert last_event in events


def test_cancel_at_period_end_takes_effect_at_the_period_end(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end
    client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})

    assert advance(emulator, to=period_end - 60) == []
    events = advance(emulator, seconds=60)

    assert events == ["customer.subscription.deleted"]
    ended = client.v1.subscriptions.retrieve(subscription.id)
    assert (ended.status, ended.ended_at) == ("canceled", period_end)
    assert len(client.v1.invoices.list(params={"subscription": subscription.id}).data) == 1


def test_the_clock_only_moves_forward_and_needs_one_amount(emulator):
    for bad in ({}, {"days": 1, "seconds": 5}, {"days": -1}, {"to": 0}):
        answer = requests.post(f"{emulator.url}/_control/stripe/advance", json=bad, timeout=5)
        assert answer.status_code == 400, bad


def test_the_stripe_clock_leaves_the_other_platforms_clock_alone(emulator):
    before = emulator.control("POST", "clock", {"advance": 0})["offset"]
    start = emulator.control("GET", "stripe/clock")["now"]

    advance(emulator, days=40)

    assert emulator.control("POST", "clock", {"advance": 0})["offset"] == before
    assert emulator.control("GET", "stripe/clock")["now"] >= start + 40 * DAY


def test_the_checkout_page_after_time_moved_still_works(client, emulator):
    prices = catalogue(client)
    advance(emulator, days=100)
    moved = emulator.control("GET", "stripe/clock")["now"]
    session = start_checkout(client, prices.pro_monthly, customer_email="late@example.test")

    assert submit(session.url, card_form()).status_code == 303
    sub = client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )
    assert moved <= sub.start_date <= moved + 60


def test_upcoming_renewals_are_announced_once_when_the_setting_is_on(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end
    assert "invoice.upcoming" not in advance(emulator, to=period_end - 8 * DAY)  # off by default

    emulator.control("POST", "stripe/settings", {"upcoming_days": 7})
    assert advance(emulator, to=period_end - 7 * DAY) == ["invoice.upcoming"]
    assert advance(emulator, to=period_end - 1) == []

    upcoming = client.v1.events.list(params={"type": "invoice.upcoming"}).data[0]
    assert upcoming.data.object.id is None  # a preview, as Stripe sends it
    assert upcoming.data.object.parent.subscription_details.subscription == subscription.id
