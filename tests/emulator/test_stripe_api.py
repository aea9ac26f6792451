"""The emulated Stripe API, driven by the real stripe-python SDK over real HTTP."""

from __future__ import annotations

import pytest
import requests
import stripe

from tests.emulator.stripe_support import (
    KEY,
    catalogue,
    client_for,
    start_checkout,
    subscribe,
)


@pytest.fixture
def client(emulator) -> stripe.StripeClient:
    return client_for(emulator)


def test_a_key_that_is_not_a_test_secret_key_is_refused(emulator):
    live = stripe.StripeClient(
        "sk_live_123", base_addresses={"api": f"{emulator.url}/stripe"}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        live.v1.customers.list()

    answer = requests.get(f"{emulator.url}/stripe/v1/customers", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_errors_use_stripes_envelope_so_the_sdk_raises_typed_exceptions(client, emulator):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_doesnotexist")
    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"
    assert missing.value.param == "id"

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.create(params={"emali": "typo@example.test"})
    assert unknown.value.param == "emali"
    assert "unknown parameter" in str(unknown.value)

    answer = requests.get(
        f"{emulator.url}/stripe/v1/no_such_thing",
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert answer.status_code == 404
    assert "Unrecognized request URL (GET: /v1/no_such_thing)" in answer.json()["error"]["message"]


def test_the_same_idempotency_key_and_parameters_give_the_same_object(client):
    first = client.v1.customers.create(
        params={"email": "a@example.test"}, options={"idempotency_key": "cust-1"}
    )
    again = client.v1.customers.create(
        params={"email": "a@example.test"}, options={"idempotency_key": "cust-1"}
    )
    assert again.id == first.id
    assert len(client.v1.customers.list().data) == 1

    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(
            params={"email": "b@example.test"}, options={"idempotency_key": "cust-1"}
        )
    assert len(client.v1.customers.list().data) == 1


def test_prices_are_found_by_lookup_key_with_their_product_expanded(client, emulator):
    prices = catalogue(client)

    found = client.v1.prices.list(
        params={"lookup_keys": ["pro_yearly", "business_monthly"], "expand": ["data.product"]}
    )

    assert {p.id for p in found.data} == {prices.pro_yearly, prices.business_monthly}
    yearly = next(p for p in found.data if p.id == prices.pro_yearly)
    assert yearly.object == "price"
    assert yearly.product.name == "Pro"
    assert (yearly.recurring.interval, yearly.unit_amount, yearly.currency) == (
        "year",
        29000,
        "usd",
    )
    assert client.v1.prices.retrieve(prices.pro_monthly).lookup_key == "pro_monthly"
    # Raw HTTP clients may repeat `lookup_keys[]`.
    answer = requests.get(
        f"{emulator.url}/stripe/v1/prices?lookup_keys[]=pro_monthly&lookup_keys[]=pro_yearly",
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert {p["lookup_key"] for p in answer.json()["data"]} == {"pro_monthly", "pro_yearly"}


def test_a_lookup_key_moves_only_with_transfer_lookup_key(client):
    prices = catalogue(client)
    product = client.v1.prices.retrieve(prices.pro_monthly).product

    with pytest.raises(stripe.InvalidRequestError) as taken:
        client.v1.prices.create(
            params={
                "product": product,
                "unit_amount": 3900,
                "currency": "usd",
                "recurring": {"interval": "month"},
                "lookup_key": "pro_monthly",
            }
        )
    assert taken.value.param == "lookup_key"

    moved = client.v1.prices.create(
        params={
            "product": product,
            "unit_amount": 3900,
            "currency": "usd",
            "recurring": {"interval": "month"},
            "lookup_key": "pro_monthly",
            "transfer_lookup_key": True,
        }
    )
    listed = client.v1.prices.list(params={"lookup_keys": ["pro_monthly"]}).data
    assert [p.id for p in listed] == [moved.id]
    assert client.v1.prices.retrieve(prices.pro_monthly).lookup_key is None


def test_subscription_items_show_the_price_as_it_is_now(client):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)

    client.v1.prices.update(
        prices.pro_monthly, params={"lookup_key": "pro_monthly_2025", "active": False}
    )

    item = client.v1.subscriptions.retrieve(subscription.id)["items"].data[0]
    assert (item.price.lookup_key, item.price.active) == ("pro_monthly_2025", False)


def test_customers_are_created_updated_searched_and_paged(client):
    made = [
        client.v1.customers.create(
            params={"email": f"c{i}@example.test", "metadata": {"workspace_id": str(i)}}
        )
        for i in range(12)
    ]
    updated = client.v1.customers.update(
        made[3].id, params={"name": "Demo Co", "metadata": {"plan": "pro"}}
    )
    assert updated.name == "Demo Co"
    assert updated.metadata.to_dict() == {"workspace_id": "3", "plan": "pro"}

    first_page = client.v1.customers.list(params={"limit": 5})
    assert first_page.has_more is True
    assert [c.id for c in first_page.data] == [c.id for c in made[::-1][:5]]
    everyone = list(client.v1.customers.list(params={"limit": 5}).auto_paging_iter())
    assert [c.id for c in everyone] == [c.id for c in made[::-1]]

    found = client.v1.customers.search(params={"query": "metadata['workspace_id']:'7'"})
    assert [c.id for c in found.data] == [made[7].id]
    by_email = client.v1.customers.list(params={"email": "c2@example.test"})
    assert [c.id for c in by_email.data] == [made[2].id]


def test_deleting_a_customer_cancels_its_subscription(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)

    deleted = client.v1.customers.delete(customer.id)

    assert deleted.deleted is True
    assert client.v1.subscriptions.retrieve(subscription.id).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        start_checkout(client, prices.pro_monthly, customer.id)


def test_a_subscription_has_its_periods_on_the_item_and_invoices_point_at_it(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)

    assert subscription.status == "active"
    assert "current_period_end" not in subscription
    item = subscription["items"].data[0]
    assert item.price.id == prices.pro_monthly
    assert item.current_period_end > item.current_period_start
    invoices = client.v1.invoices.list(params={"customer": customer.id}).data
    assert len(invoices) == 1
    invoice = invoices[0]
    assert "subscription" not in invoice
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert (invoice.status, invoice.amount_due, invoice.amount_paid) == ("paid", 2900, 2900)
    assert invoice.billing_reason == "subscription_create"
    assert invoice.number.endswith("-0001")
    assert invoice.total_taxes == []
    assert client.v1.invoices.list(params={"subscription": subscription.id}).data[0].id == (
        invoice.id
    )
    page = requests.get(invoice.hosted_invoice_url, timeout=5)
    assert page.status_code == 200
    assert invoice.number in page.text
    pdf = requests.get(invoice.invoice_pdf, timeout=5)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4")
    assert invoice.number.encode() in pdf.content


def test_cancel_at_period_end_and_undo_send_updates_with_previous_attributes(client):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    period_end = subscription["items"].data[0].current_period_end

    canceling = client.v1.subscriptions.update(
        subscription.id, params={"cancel_at_period_end": True}
    )
    assert (canceling.cancel_at_period_end, canceling.cancel_at) == (True, period_end)
    assert canceling.status == "active"

    kept = client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": False})
    assert (kept.cancel_at_period_end, kept.cancel_at) == (False, None)

    updates = client.v1.events.list(params={"type": "customer.subscription.updated"}).data
    undo, cancel = updates[0], updates[1]
    assert cancel.data.previous_attributes["cancel_at_period_end"] is False
    assert undo.data.previous_attributes["cancel_at_period_end"] is True
    assert undo.data.object.cancel_at is None


def test_switching_price_in_the_same_interval_puts_prorations_on_the_next_invoice(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    item = subscription["items"].data[0]
    emulator.control("POST", "stripe/advance", {"days": 10})

    switched = client.v1.subscriptions.update(
        subscription.id,
        params={"items": [{"id": item.id, "price": prices.business_monthly}]},
    )

    assert switched["items"].data[0].price.id == prices.business_monthly
    assert switched.latest_invoice == subscription.latest_invoice  # nothing billed yet
    emulator.control("POST", "stripe/advance", {"days": 25})
    renewal = client.v1.invoices.retrieve(
        client.v1.subscriptions.retrieve(subscription.id).latest_invoice
    )
    descriptions = [line.description for line in renewal.lines.data]
    assert descriptions[0] == "1 × Business (at $79.00 / month)"
    assert descriptions[1].startswith("Unused time on Pro after")
    assert descriptions[2].startswith("Remaining time on Business after")
    credit, debit = renewal.lines.data[1].amount, renewal.lines.data[2].amount
    assert credit < 0 < debit
    assert renewal.lines.data[1].parent.invoice_item_details.proration is True
    assert renewal.total == 7900 + credit + debit
    assert renewal.status == "paid"
    page = requests.get(renewal.hosted_invoice_url, timeout=5).text
    assert f"-${-credit / 100:.2f}" in page


def test_always_invoice_bills_the_proration_now_and_none_bills_nothing(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    item = subscription["items"].data[0]
    emulator.control("POST", "stripe/advance", {"days": 15})

    now_billed = client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [{"id": item.id, "price": prices.business_monthly}],
            "proration_behavior": "always_invoice",
        },
    )
    invoice = client.v1.invoices.retrieve(now_billed.latest_invoice)
    assert invoice.billing_reason == "subscription_update"
    assert invoice.status == "paid"
    assert 0 < invoice.amount_paid < 7900 - 2900

    unbilled = client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [{"id": item.id, "price": prices.pro_monthly}],
            "proration_behavior": "none",
        },
    )
    assert unbilled.latest_invoice == now_billed.latest_invoice


def test_switching_to_a_yearly_price_restarts_the_period_and_bills_at_once(client, emulator):
    prices = catalogue(client)
    _, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", "stripe/advance", {"days": 10})
    now = emulator.control("GET", "stripe/clock")["now"]

    yearly = client.v1.subscriptions.update(
        subscription.id,
        params={"items": [{"id": subscription["items"].data[0].id, "price": prices.pro_yearly}]},
    )

    item = yearly["items"].data[0]
    assert item.current_period_start == now
    assert 364 * 86400 <= item.current_period_end - now <= 366 * 86400
    invoice = client.v1.invoices.retrieve(yearly.latest_invoice)
    assert invoice.status == "paid"
    assert invoice.lines.data[0].description.startswith("Unused time on Pro")
    assert invoice.total == 29000 + invoice.lines.data[0].amount


def test_a_plan_change_that_cannot_be_paid_is_refused_with_error_if_incomplete(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})

    with pytest.raises(stripe.CardError):
        client.v1.subscriptions.update(
            subscription.id,
            params={
                "items": [{"id": subscription["items"].data[0].id, "price": prices.pro_yearly}],
                "payment_behavior": "error_if_incomplete",
            },
        )

    unchanged = client.v1.subscriptions.retrieve(subscription.id)
    assert unchanged["items"].data[0].price.id == prices.pro_monthly
    assert unchanged.status == "active"
    assert len(client.v1.invoices.list(params={"customer": customer.id}).data) == 1


def test_canceling_now_ends_the_subscription_and_lists_hide_it(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)

    canceled = client.v1.subscriptions.cancel(subscription.id)

    assert canceled.status == "canceled"
    assert canceled.ended_at is not None
    assert client.v1.subscriptions.list(params={"customer": customer.id}).data == []
    every = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert [s.id for s in every.data] == [subscription.id]
    assert client.v1.events.list(params={"type": "customer.subscription.deleted"}).data
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})


def test_events_are_listed_newest_first_and_filtered(client, emulator):
    catalogue(client)
    before = emulator.control("GET", "stripe/clock")["now"]
    emulator.control("POST", "stripe/advance", {"seconds": 10})
    client.v1.customers.create(params={"email": "late@example.test"})

    recent = client.v1.events.list(params={"created": {"gt": before}})
    assert [e.type for e in recent.data] == ["customer.created"]
    prices = client.v1.events.list(params={"type": "price.*"}).data
    assert [e.type for e in prices] == ["price.created"] * 3
    assert prices[0].created >= prices[-1].created
    event = client.v1.events.retrieve(recent.data[0].id)
    assert event.api_version == "2026-10-28.endive"
    assert event.data.object.email == "late@example.test"


def test_an_injected_server_fault_raises_an_api_error(client, emulator):
    emulator.control(
        "POST", "stripe/faults", {"endpoint": "stripe.customers.retrieve", "kind": "server"}
    )
    customer = client.v1.customers.create(params={"email": "f@example.test"})

    with pytest.raises(stripe.APIError):
        client.v1.customers.retrieve(customer.id)
    assert client.v1.customers.retrieve(customer.id).id == customer.id
    logged = emulator.requests("stripe", "stripe.customers.retrieve")
    assert len(logged) == 2
