"""Signed webhook deliveries from the emulated Stripe, checked with stripe-python's own
verification."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import stripe

from tests.emulator.stripe_support import (
    SECRET,
    card_form,
    catalogue,
    client_for,
    receiver,
    start_checkout,
    submit,
    subscribe,
)


@pytest.fixture
def client(emulator) -> stripe.StripeClient:
    return client_for(emulator)


def register(emulator, url: str, **extra: object) -> dict:
    return emulator.control(
        "POST", "stripe/webhook_endpoints", {"url": url, "secret": SECRET, **extra}
    )


def test_deliveries_are_signed_as_stripe_signs_them(client, emulator):
    prices = catalogue(client)
    with receiver() as endpoint:
        register(emulator, endpoint.url)
        customer, subscription = subscribe(client, prices.pro_monthly)

    assert endpoint.types()[-6:] == [
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]
    for received in endpoint.received:
        header = received.headers["stripe-signature"]
        assert header.startswith("t=")
        assert ",v1=" in header
        event = stripe.Webhook.construct_event(received.body, header, SECRET)
        assert event.object == "event"
        assert event.livemode is False
        assert event.api_version == "2026-10-28.endive"
    completed = json.loads(endpoint.received[-1].body)
    session = completed["data"]["object"]
    assert (session["object"], session["status"]) == ("checkout.session", "complete")
    assert (session["customer"], session["subscription"]) == (customer.id, subscription.id)
    assert abs(int(header.split(",")[0][2:]) - time.time()) < 60


def test_a_wrong_secret_or_a_changed_body_fails_verification(client, emulator):
    with receiver() as endpoint:
        register(emulator, endpoint.url)
        client.v1.customers.create(params={"email": "a@example.test"})

    received = endpoint.received[0]
    header = received.headers["stripe-signature"]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(received.body, header, "whsec_wrong")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(received.body + b" ", header, SECRET)
    # Secret rotation: any one matching secret is enough.
    stripe.Webhook.construct_event(received.body, header, SECRET)


def test_updates_carry_previous_attributes(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    with receiver() as endpoint:
        register(emulator, endpoint.url, enabled_events=["customer.subscription.updated"])
        client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})
        client.v1.customers.create(params={"email": "not-listened@example.test"})

    assert endpoint.types() == ["customer.subscription.updated"]
    event = endpoint.received[0].event
    assert event["data"]["object"]["cancel_at_period_end"] is True
    assert event["data"]["previous_attributes"]["cancel_at_period_end"] is False


def test_the_receiver_may_call_the_api_back_while_a_delivery_waits(client, emulator):
    prices = catalogue(client)
    seen: list[str] = []
    with receiver() as endpoint:
        # As the app's handler does: re-retrieve the subscription named in the event.
        endpoint.on_event = lambda event: (
            seen.append(client.v1.subscriptions.retrieve(event["data"]["object"]["id"]).status)
            if event["type"] == "customer.subscription.created"
            else None
        )
        register(emulator, endpoint.url)
        subscribe(client, prices.pro_monthly)

    assert seen == ["active"]


def test_failed_deliveries_are_recorded(client, emulator):
    with receiver() as endpoint:
        endpoint.status = 500
        register(emulator, endpoint.url)
        client.v1.customers.create(params={"email": "a@example.test"})
    register(emulator, "http://127.0.0.1:9/nothing-listens")
    client.v1.customers.create(params={"email": "b@example.test"})

    deliveries = emulator.control("GET", "stripe/deliveries?type=customer.created")
    statuses = [(d["url"].endswith("nothing-listens"), d["status"]) for d in deliveries]
    assert (False, 500) in statuses
    assert (True, None) in statuses
    assert all(d["signature"].startswith("t=") for d in deliveries)
    assert next(d for d in deliveries if d["status"] is None)["error"]


def test_paused_events_are_replayed_in_reverse_order(client, emulator):
    prices = catalogue(client)
    with receiver() as endpoint:
        register(emulator, endpoint.url)
        emulator.control("POST", "stripe/webhooks", {"paused": True})
        customer, _ = subscribe(client, prices.pro_monthly)
        assert endpoint.received == []

        replayed = emulator.control("POST", "stripe/replay", {"order": "reverse"})

    assert endpoint.types()[0] == "checkout.session.completed"
    assert endpoint.types()[-1] == "customer.created"
    assert len(replayed) == len(endpoint.received)
    assert endpoint.received[-1].event["data"]["object"]["id"] == customer.id


def test_replay_can_send_every_event_twice(client, emulator):
    with receiver() as endpoint:
        register(emulator, endpoint.url)
        made = client.v1.customers.create(params={"email": "a@example.test"})
        event_id = endpoint.received[0].event["id"]

        emulator.control("POST", "stripe/replay", {"order": "duplicate", "events": [event_id]})

    ids = [r.event["id"] for r in endpoint.received]
    assert ids == [event_id] * 3
    assert {r.event["data"]["object"]["id"] for r in endpoint.received} == {made.id}


def test_endpoints_made_through_the_api_get_a_signing_secret(client, emulator):
    with receiver() as endpoint:
        made = client.v1.webhook_endpoints.create(
            params={"url": endpoint.url, "enabled_events": ["customer.created"]}
        )
        client.v1.customers.create(params={"email": "a@example.test"})

    assert made.secret.startswith("whsec_")
    received = endpoint.received[0]
    stripe.Webhook.construct_event(received.body, received.headers["stripe-signature"], made.secret)
    listed = client.v1.webhook_endpoints.list().data
    assert [e.id for e in listed] == [made.id]
    assert "secret" not in listed[0]


def test_bad_control_requests_are_refused(emulator):
    base = f"{emulator.url}/_control/stripe"
    cases = [
        ("webhook_endpoints", {"url": "ftp://x", "secret": SECRET}),
        ("webhook_endpoints", {"url": "http://x.test/"}),
        ("replay", {"order": "sideways"}),
        ("webhooks", {"paused": "yes"}),
        ("settings", {"retry_days": [5, 3]}),
        ("settings", {"nonsense": 1}),
        ("customers/cus_missing/card", {"outcome": "decline"}),
    ]
    for path, payload in cases:
        answer = requests.post(f"{base}/{path}", json=payload, timeout=5)
        assert answer.status_code == 400, (path, payload)
    assert emulator.control("GET", "stripe/webhook_endpoints") == []


def test_checkout_webhooks_arrive_before_the_browser_is_redirected(client, emulator):
    prices = catalogue(client)
    with receiver() as endpoint:
        register(emulator, endpoint.url)
        session = start_checkout(client, prices.pro_monthly, customer_email="x@example.test")
        answer = submit(session.url, card_form())
        assert answer.status_code == 303
        assert "checkout.session.completed" in endpoint.types()


def test_the_endpoint_named_by_the_environment_exists_from_start_and_after_reset():
    """`make run` gives the emulator the app's webhook URL and secret this way."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "EMULATOR_STRIPE_WEBHOOK_URL": "http://127.0.0.1:9/webhooks/stripe/",
        "EMULATOR_STRIPE_WEBHOOK_SECRET": SECRET,
    }
    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "emulator", "--port", "0"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip().removeprefix("emulator listening on ")
        listed = requests.get(f"{url}/_control/stripe/webhook_endpoints", timeout=5).json()
        requests.post(f"{url}/_control/reset", timeout=5).raise_for_status()
        again = requests.get(f"{url}/_control/stripe/webhook_endpoints", timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()

    for endpoints in (listed, again):
        assert [(e["url"], e["secret"], e["enabled_events"]) for e in endpoints] == [
            ("http://127.0.0.1:9/webhooks/stripe/", SECRET, ["*"])
        ]
