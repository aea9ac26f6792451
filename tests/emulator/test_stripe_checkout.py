"""The emulated hosted pages, driven as a browser's form posts would: Checkout with the test
cards, the customer portal and the hosted invoice page."""

from __future__ import annotations

import re

import pytest
import requests
import stripe

from tests.emulator.stripe_support import (
    CANCEL_URL,
    DECLINED_CARD,
    THREE_D_SECURE_CARD,
    card_form,
    catalogue,
    client_for,
    event_types,
    session_id_of,
    start_checkout,
    submit,
    subscribe,
)


@pytest.fixture
def client(emulator) -> stripe.StripeClient:
    return client_for(emulator)


def test_paying_with_the_success_card_starts_the_subscription_and_redirects(client):
    prices = catalogue(client)
    customer = client.v1.customers.create(params={"email": "owner@example.test"})
    session = start_checkout(
        client,
        prices.pro_monthly,
        customer.id,
        client_reference_id="workspace-7",
        subscription_data={"metadata": {"workspace_id": "7"}},
    )
    assert session.status == "open"
    assert session.url.endswith(f"/stripe/pay/{session.id}")
    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200
    assert "Subscribe to Pro" in page.text
    assert "$29.00" in page.text
    assert f'href="{CANCEL_URL}"' in page.text

    answer = submit(session.url, card_form())

    assert answer.status_code == 303
    assert session_id_of(answer.headers["Location"]) == session.id
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription", "line_items"]}
    )
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.customer == customer.id
    assert done.client_reference_id == "workspace-7"
    assert done.subscription.status == "active"
    assert done.subscription.metadata.to_dict() == {"workspace_id": "7"}
    assert done.line_items.data[0].price.id == prices.pro_monthly
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    assert event_types(client)[-6:] == [
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]


def test_a_declined_card_shows_the_decline_and_the_session_stays_open(client):
    prices = catalogue(client)
    session = start_checkout(client, prices.pro_monthly, customer_email="new@example.test")

    answer = submit(session.url, card_form(DECLINED_CARD))

    assert answer.status_code == 402
    assert 'role="alert">Your card was declined.' in answer.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert client.v1.subscriptions.list(params={"status": "all"}).data == []
    assert client.v1.customers.list().data == []
    # The customer tries again with a good card and the new customer is created.
    assert submit(session.url, card_form()).status_code == 303
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert client.v1.customers.retrieve(done.customer).email == "new@example.test"


def test_bad_card_details_are_explained_and_change_nothing(client):
    prices = catalogue(client)
    session = start_checkout(client, prices.pro_monthly, customer_email="new@example.test")

    invalid = submit(session.url, card_form("4242 4242 4242 4241"))
    expired = submit(session.url, card_form(card_expiry="01 / 20"))
    real_card = submit(session.url, card_form("4111 1111 1111 1111"))

    assert "Your card number is invalid." in invalid.text
    assert "expiration year is in the past" in expired.text
    assert "used a non test card" in real_card.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_the_3d_secure_card_asks_for_authentication_first(client):
    prices = catalogue(client)
    session = start_checkout(client, prices.pro_monthly, customer_email="new@example.test")

    challenge = submit(session.url, card_form(THREE_D_SECURE_CARD))

    assert challenge.status_code == 200
    assert "Complete authentication" in challenge.text
    action = re.search(r'action="([^"]+)"', challenge.text).group(1)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    failed = submit(f"{session.url.split('/stripe/')[0]}{action}", {"decision": "fail"})
    assert "unable to authenticate" in failed.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"

    challenge = submit(session.url, card_form(THREE_D_SECURE_CARD))
    passed = submit(f"{session.url.split('/stripe/')[0]}{action}", {"decision": "complete"})

    assert passed.status_code == 303
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"


def test_a_trial_without_card_collection_starts_trialing_with_a_zero_invoice(client):
    prices = catalogue(client)
    customer = client.v1.customers.create(params={"email": "owner@example.test"})
    session = start_checkout(
        client,
        prices.pro_monthly,
        customer.id,
        subscription_data={"trial_period_days": 14},
        payment_method_collection="if_required",
    )
    page = requests.get(session.url, timeout=5)
    assert "14 days free" in page.text
    assert "Start trial" in page.text
    assert 'name="card_number"' not in page.text

    assert submit(session.url, {"name": "Dana"}).status_code == 303

    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["subscription"]})
    assert done.payment_status == "no_payment_required"
    subscription = done.subscription
    assert subscription.status == "trialing"
    assert subscription.trial_end - subscription.trial_start == 14 * 86400
    assert subscription.default_payment_method is None
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    assert (invoice.status, invoice.total) == ("paid", 0)


def test_automatic_tax_uses_the_address_entered_and_tax_ids_are_kept(client):
    prices = catalogue(client)
    customer = client.v1.customers.create(params={"email": "owner@example.test"})
    session = start_checkout(
        client,
        prices.pro_monthly,
        customer.id,
        automatic_tax={"enabled": True},
        tax_id_collection={"enabled": True},
        customer_update={"address": "auto", "name": "auto"},
    )
    missing_country = submit(session.url, card_form())
    assert "Your country is required." in missing_country.text

    answer = submit(
        session.url,
        card_form(country="DE", postal_code="10115", tax_id="DE123456789", name="Demo GmbH"),
    )

    assert answer.status_code == 303
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert done.total_details.amount_tax == 551  # 19 % of 29.00
    assert done.amount_total == 2900 + 551
    assert done.customer_details.tax_ids[0].value == "DE123456789"
    invoice = client.v1.invoices.retrieve(
        client.v1.subscriptions.retrieve(done.subscription).latest_invoice
    )
    assert [t.amount for t in invoice.total_taxes] == [551]
    assert invoice.total_taxes[0].taxability_reason == "standard_rated"
    updated = client.v1.customers.retrieve(customer.id)
    assert (updated.address.country, updated.name) == ("DE", "Demo GmbH")


def test_automatic_tax_for_an_existing_customer_needs_somewhere_to_save_the_address(client):
    prices = catalogue(client)
    customer = client.v1.customers.create(params={"email": "owner@example.test"})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        start_checkout(client, prices.pro_monthly, customer.id, automatic_tax={"enabled": True})

    assert refused.value.param == "customer_update[address]"


def test_session_creation_checks_its_parameters(client):
    prices = catalogue(client)
    one_time = client.v1.prices.create(
        params={"product_data": {"name": "Setup"}, "unit_amount": 500, "currency": "usd"}
    )

    with pytest.raises(stripe.InvalidRequestError) as not_recurring:
        start_checkout(client, one_time.id)
    with pytest.raises(stripe.InvalidRequestError) as both:
        start_checkout(
            client,
            prices.pro_monthly,
            client.v1.customers.create().id,
            customer_email="x@example.test",
        )
    with pytest.raises(stripe.InvalidRequestError) as no_price:
        start_checkout(client, "price_missing")

    assert not_recurring.value.param == "line_items[0][price]"
    assert both.value.param == "customer_email"
    assert no_price.value.code == "resource_missing"


def test_an_expired_session_cannot_be_paid(client, emulator):
    prices = catalogue(client)
    session = start_checkout(client, prices.pro_monthly, customer_email="new@example.test")

    emulator.control("POST", "stripe/advance", {"days": 1})

    expired = client.v1.checkout.sessions.retrieve(session.id)
    assert expired.status == "expired"
    assert "checkout.session.expired" in event_types(client)
    assert "has expired" in requests.get(session.url, timeout=5).text
    assert submit(session.url, card_form()).status_code == 200
    assert client.v1.subscriptions.list(params={"status": "all"}).data == []


# --- customer portal -------------------------------------------------------------------------


def portal(client, customer: str, **extra: object) -> stripe.billing_portal.Session:
    return client.v1.billing_portal.sessions.create(
        params={"customer": customer, "return_url": "https://app.example.test/billing/", **extra}
    )


def test_the_portal_shows_the_plan_card_and_invoices(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    session = portal(client, customer.id)

    page = requests.get(session.url, timeout=5)

    assert session.object == "billing_portal.session"
    assert page.status_code == 200
    assert "Pro" in page.text
    assert "$29.00 per month" in page.text
    assert "Renews" in page.text
    assert "Visa •••• 4242" in page.text
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    assert invoice.number in page.text
    assert 'href="https://app.example.test/billing/"' in page.text


def test_switching_plan_in_the_portal_updates_the_subscription(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    session = portal(client, customer.id)
    choices = requests.get(session.url, params={"view": "update"}, timeout=5).text
    assert "Business" in choices
    assert prices.business_monthly in choices

    answer = submit(session.url, {"action": "switch", "price": prices.business_monthly})

    assert answer.status_code == 303
    switched = client.v1.subscriptions.retrieve(subscription.id)
    assert switched["items"].data[0].price.id == prices.business_monthly
    update = client.v1.events.list(params={"type": "customer.subscription.updated"}).data[0]
    previous = update.data.previous_attributes["items"]["data"][0]["price"]["id"]
    assert previous == prices.pro_monthly


def test_cancel_in_the_portal_is_at_period_end_and_can_be_undone(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    session = portal(client, customer.id)

    submit(session.url, {"action": "cancel"})

    canceling = client.v1.subscriptions.retrieve(subscription.id)
    assert canceling.status == "active"
    assert canceling.cancel_at_period_end is True
    assert "Cancels" in requests.get(session.url, timeout=5).text
    submit(session.url, {"action": "renew"})
    assert client.v1.subscriptions.retrieve(subscription.id).cancel_at_period_end is False


def test_a_deep_link_redirects_back_when_done(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    session = portal(
        client,
        customer.id,
        flow_data={
            "type": "subscription_cancel",
            "subscription_cancel": {"subscription": subscription.id},
            "after_completion": {
                "type": "redirect",
                "redirect": {"return_url": "https://app.example.test/billing/?canceled=1"},
            },
        },
    )
    assert "Cancel your subscription" in requests.get(session.url, timeout=5).text

    answer = submit(session.url, {"action": "cancel"})

    assert answer.headers["Location"] == "https://app.example.test/billing/?canceled=1"
    assert session.flow.type == "subscription_cancel"


def test_a_deep_link_can_end_on_a_confirmation_message(client):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    session = portal(
        client,
        customer.id,
        flow_data={
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {
                "subscription": subscription.id,
                "items": [
                    {"id": subscription["items"].data[0].id, "price": prices.business_monthly}
                ],
            },
            "after_completion": {
                "type": "hosted_confirmation",
                "hosted_confirmation": {"custom_message": "Welcome to Business!"},
            },
        },
    )
    confirm = requests.get(session.url, timeout=5).text
    assert "Confirm your new plan" in confirm
    assert "Business" in confirm

    answer = requests.post(
        session.url, data={"action": "switch", "price": prices.business_monthly}, timeout=5
    )

    assert "Welcome to Business!" in answer.text
    assert client.v1.subscriptions.retrieve(subscription.id)["items"].data[0].price.id == (
        prices.business_monthly
    )


def test_a_deep_link_to_another_customers_subscription_is_refused(client):
    prices = catalogue(client)
    _, theirs = subscribe(client, prices.pro_monthly)
    mine = client.v1.customers.create(params={"email": "me@example.test"})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        portal(
            client,
            mine.id,
            flow_data={
                "type": "subscription_cancel",
                "subscription_cancel": {"subscription": theirs.id},
            },
        )
    assert refused.value.param == "flow_data[subscription_cancel][subscription]"


def test_a_new_card_in_the_portal_pays_a_past_due_invoice(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})
    emulator.control("POST", "stripe/advance", {"days": 32})
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"
    session = portal(client, customer.id, flow_data={"type": "payment_method_update"})
    page = requests.get(session.url, timeout=5).text
    assert "Update payment method" in page
    assert 'name="card_number"' in page

    declined = submit(session.url, {"action": "card", **card_form(DECLINED_CARD)})
    assert "Your card was declined." in declined.text
    saved = submit(session.url, {"action": "card", **card_form("5555 5555 5555 4444")})

    assert saved.status_code == 303
    assert "outstanding+invoice+has+been+paid" in saved.headers["Location"]
    recovered = client.v1.subscriptions.retrieve(subscription.id)
    assert recovered.status == "active"
    invoice = client.v1.invoices.retrieve(recovered.latest_invoice)
    assert (invoice.status, invoice.attempt_count) == ("paid", 2)
    method = client.v1.payment_methods.retrieve(recovered.default_payment_method)
    assert (method.card.brand, method.card.last4) == ("mastercard", "4444")


def test_the_hosted_invoice_page_pays_an_open_invoice(client, emulator):
    prices = catalogue(client)
    customer, subscription = subscribe(client, prices.pro_monthly)
    emulator.control("POST", f"stripe/customers/{customer.id}/card", {"outcome": "decline"})
    emulator.control("POST", "stripe/advance", {"days": 32})
    invoice = client.v1.invoices.retrieve(
        client.v1.subscriptions.retrieve(subscription.id).latest_invoice
    )
    assert invoice.status == "open"
    assert "Pay $29.00" in requests.get(invoice.hosted_invoice_url, timeout=5).text

    challenge = submit(invoice.hosted_invoice_url, card_form(THREE_D_SECURE_CARD))
    assert "Complete authentication" in challenge.text
    paid = submit(invoice.hosted_invoice_url, {"decision": "complete"})

    assert paid.status_code == 303
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"
