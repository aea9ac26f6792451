"""Subscribing through Stripe Checkout and managing it in the portal, with the real SDK against
the emulator over HTTP: what the session asks Stripe for, the portal for existing subscribers,
the return page that follows Stripe (not the redirect), and refusals that change nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from billing.models import BillingAccount, Plan, SubscriptionStatus
from billing.plans import seed_plans
from billing.stripe_client import client as stripe_client
from tests.factories import WorkspaceFactory


@pytest.fixture
def shop(db, emulator, make_member):
    """A workspace with one member of each role, and the plans linked to the emulator's prices."""
    seed_plans()
    workspace = WorkspaceFactory(name="Shop", slug="shop")
    workspace.people = {role: make_member(workspace, role) for role in Role.values}
    workspace.seeded = len(emulator.requests("stripe"))  # the plans' products and prices
    return workspace


def _checkout(client, workspace, plan="pro", interval="month"):
    client.force_login(workspace.people[Role.OWNER])
    return client.post(
        reverse("billing:checkout", args=[workspace.slug]), {"plan": plan, "interval": interval}
    )


def _session_id(response) -> str:
    assert response.status_code == 303, response.content[:300]
    match = re.search(r"/stripe/pay/(cs_test_\w+)$", response["Location"])
    assert match, response["Location"]
    return match[1]


def _requests(emulator, endpoint):
    return emulator.requests("stripe", f"stripe.{endpoint}")


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _stripe_calls(emulator, workspace):
    """What the app asked Stripe since the plans were seeded."""
    return emulator.requests("stripe")[workspace.seeded :]


def test_checkout_starts_the_trial_and_the_return_page_follows_stripe(client, shop, emulator):
    response = _checkout(client, shop)

    session = stripe_client().v1.checkout.sessions.retrieve(_session_id(response))
    account = BillingAccount.objects.get(workspace=shop)
    customer = stripe_client().v1.customers.retrieve(account.stripe_customer_id)
    assert customer.email == shop.people[Role.OWNER].email
    assert customer.metadata["workspace_id"] == str(shop.pk)
    assert session.mode == "subscription"
    assert session.customer == account.stripe_customer_id
    assert session.client_reference_id == str(shop.pk)
    assert session.amount_total == 0  # Pro's 14-day trial: nothing due today
    assert session.automatic_tax.enabled is False  # STRIPE_AUTOMATIC_TAX is off
    assert session.cancel_url == f"{settings.SITE_URL}/w/{shop.slug}/billing/"
    assert session.success_url == (
        f"{settings.SITE_URL}/w/{shop.slug}/billing/return/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    [item] = stripe_client().v1.checkout.sessions.line_items.list(session.id).data
    assert item.price.id == Plan.objects.get(code="pro").stripe_price_monthly
    [sent] = _requests(emulator, "checkout.sessions.create")
    assert sent["form"]["subscription_data[trial_period_days]"] == "14"
    assert sent["form"]["subscription_data[metadata][workspace_id]"] == str(shop.pk)
    assert sent["headers"]["idempotency-key"].startswith(f"checkout-{shop.pk}-")
    # Nothing is granted by starting Checkout.
    assert account.status == SubscriptionStatus.NONE

    # The person pays on Stripe's page; the return page mirrors what Stripe now says.
    emulator.control("POST", f"stripe/checkout/{session.id}/complete", {"card": "4242424242424242"})
    back = client.get(
        urlsplit(session.success_url).path + "?" + urlsplit(session.success_url).query
    )

    assert back.status_code == 302
    assert back["Location"] == reverse("billing:page", args=[shop.slug])
    assert _messages(back) == ["Your Pro trial has started."]
    account.refresh_from_db()
    assert account.status == SubscriptionStatus.TRIALING
    assert account.plan.code == "pro"
    assert account.interval == "month"
    assert account.trial_end is not None
    subscription = stripe_client().v1.subscriptions.retrieve(account.stripe_subscription_id)
    assert subscription.metadata["workspace_id"] == str(shop.pk)


def test_the_return_page_waits_while_stripe_has_no_subscription(client, shop, emulator):
    url = reverse("billing:return", args=[shop.slug])
    client.force_login(shop.people[Role.OWNER])
    never = client.get(url, {"session_id": "cs_test_made_up"})
    assert never["Location"] == reverse("billing:page", args=[shop.slug])  # no Checkout yet
    # Its own in-place check (htmx) moves the whole page rather than swapping the billing page in.
    checked = client.get(url, headers={"HX-Request": "true"})
    assert checked["HX-Redirect"] == reverse("billing:page", args=[shop.slug])
    assert _stripe_calls(emulator, shop) == []

    session_id = _session_id(_checkout(client, shop))  # abandoned: never paid

    waiting = client.get(url, {"session_id": session_id})

    assert waiting.status_code == 200
    assert "Activating your plan…" in waiting.content.decode()
    assert 'hx-get="?try=1" hx-trigger="load delay:2s"' in waiting.content.decode()
    assert "http-equiv" not in waiting.content.decode()  # no self-reloading page (WCAG 2.2.1)
    last = client.get(url, {"try": "10"})
    assert "Still confirming with Stripe" in last.content.decode()
    assert "http-equiv" not in last.content.decode()
    assert BillingAccount.objects.get(workspace=shop).status == SubscriptionStatus.NONE


@override_settings(STRIPE_AUTOMATIC_TAX=True)
def test_no_second_trial_and_tax_collection_behind_the_setting(client, shop, emulator):
    first = _session_id(_checkout(client, shop))
    emulator.control("POST", f"stripe/checkout/{first}/complete", {"country": "DE"})
    account = BillingAccount.objects.get(workspace=shop)
    subscription = (
        stripe_client()
        .v1.subscriptions.list(params={"customer": account.stripe_customer_id})
        .data[0]
    )
    stripe_client().v1.subscriptions.cancel(subscription.id)  # ended; our mirror never heard

    second = stripe_client().v1.checkout.sessions.retrieve(
        _session_id(_checkout(client, shop, interval="year"))
    )

    assert second.amount_subtotal == 19000  # no second trial: the full year is due
    assert second.automatic_tax.enabled is True
    assert second.tax_id_collection.enabled is True
    sent = _requests(emulator, "checkout.sessions.create")[-1]["form"]
    assert "subscription_data[trial_period_days]" not in sent
    assert sent["customer_update[address]"] == "auto"
    assert sent["customer_update[name]"] == "auto"


def test_a_live_subscription_is_sent_to_the_portal_to_confirm_the_switch(client, shop, emulator):
    session_id = _session_id(_checkout(client, shop))
    emulator.control("POST", f"stripe/checkout/{session_id}/complete", {})
    # Our mirror has not heard yet (no webhook, no return page): Stripe is asked anyway.
    assert BillingAccount.objects.get(workspace=shop).status == SubscriptionStatus.NONE

    response = _checkout(client, shop, plan="business")

    assert response.status_code == 303
    assert "/stripe/portal/bps_" in response["Location"]
    assert len(_requests(emulator, "checkout.sessions.create")) == 1  # no second subscription
    form = _requests(emulator, "billing_portal.sessions.create")[-1]["form"]
    business = Plan.objects.get(code="business").stripe_price_monthly
    assert form["flow_data[type]"] == "subscription_update_confirm"
    assert form["flow_data[subscription_update_confirm][items][0][price]"] == business
    assert form["flow_data[after_completion][redirect][return_url]"].endswith(
        f"/w/{shop.slug}/billing/"
    )


@pytest.mark.parametrize(
    ("flow", "sent"),
    [
        ("", None),
        ("payment_method_update", "payment_method_update"),
        ("subscription_cancel", "subscription_cancel"),
    ],
)
def test_portal_opens_with_the_chosen_flow(client, shop, emulator, flow, sent):
    session_id = _session_id(_checkout(client, shop))
    emulator.control("POST", f"stripe/checkout/{session_id}/complete", {})
    client.get(reverse("billing:return", args=[shop.slug]))  # mirrors the subscription
    account = BillingAccount.objects.get(workspace=shop)

    response = client.post(reverse("billing:portal", args=[shop.slug]), {"flow": flow})

    assert response.status_code == 303
    assert "/stripe/portal/bps_" in response["Location"]
    form = _requests(emulator, "billing_portal.sessions.create")[-1]["form"]
    assert form["customer"] == account.stripe_customer_id
    assert form["return_url"].endswith(f"/w/{shop.slug}/billing/")
    assert form.get("flow_data[type]") == sent
    if flow == "subscription_cancel":
        assert (
            form["flow_data[subscription_cancel][subscription]"] == account.stripe_subscription_id
        )


def test_portal_refuses_an_unknown_flow_and_a_workspace_without_a_customer(client, shop, emulator):
    client.force_login(shop.people[Role.OWNER])
    url = reverse("billing:portal", args=[shop.slug])

    response = client.post(url)
    assert response.status_code == 302
    assert _messages(response) == ["There is no subscription to manage yet: choose a plan first."]

    BillingAccount.objects.filter(workspace=shop).update(stripe_customer_id="cus_unused")
    response = client.post(url, {"flow": "delete_everything"})
    assert _messages(response)[-1] == "That billing action is not available."
    assert _requests(emulator, "billing_portal.sessions.create") == []


def test_stripe_failing_shows_a_clear_message_and_creates_no_session(client, shop, emulator):
    emulator.control(
        "POST",
        "stripe/faults",
        {"endpoint": "stripe.checkout.sessions.create", "kind": "server", "count": 1},
    )

    response = _checkout(client, shop)

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:page", args=[shop.slug])
    assert _messages(response) == [
        "Stripe could not open the checkout page just now: nothing was changed. Please try "
        "again in a few minutes."
    ]
    account = BillingAccount.objects.get(workspace=shop)
    assert account.status == SubscriptionStatus.NONE
    assert (
        stripe_client()
        .v1.checkout.sessions.list(params={"customer": account.stripe_customer_id})
        .data
        == []
    )


@pytest.mark.parametrize(
    ("plan", "interval", "message"),
    [
        ("enterprise", "month", "Choose one of the plans shown."),
        ("free", "month", "That plan cannot be bought here. Choose one of the plans shown."),
        ("pro", "week", "Choose monthly or yearly billing."),
    ],
)
def test_bad_choices_are_refused_before_asking_stripe(
    client, shop, emulator, plan, interval, message
):
    response = _checkout(client, shop, plan=plan, interval=interval)

    assert response.status_code == 302
    assert _messages(response) == [message]
    assert _stripe_calls(emulator, shop) == []
    assert not BillingAccount.objects.filter(
        workspace=shop, stripe_customer_id__isnull=False
    ).exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.APPROVER, Role.VIEWER])
def test_only_owners_may_subscribe_or_open_the_portal(client, shop, emulator, role):
    client.force_login(shop.people[role])
    for name in ("billing:checkout", "billing:portal"):
        response = client.post(
            reverse(name, args=[shop.slug]), {"plan": "pro", "interval": "month"}
        )
        assert response.status_code == 403, name
        assert "Your role in this workspace does not allow this" in response.content.decode()
    assert client.get(reverse("billing:return", args=[shop.slug])).status_code == 403
    assert _stripe_calls(emulator, shop) == []
    assert not BillingAccount.objects.filter(workspace=shop).exists()


def test_checkout_and_portal_are_post_only_and_need_the_csrf_token(shop, emulator):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(shop.people[Role.OWNER])
    url = reverse("billing:checkout", args=[shop.slug])

    assert csrf_client.get(url).status_code == 405
    assert csrf_client.post(url, {"plan": "pro", "interval": "month"}).status_code == 403
    assert _stripe_calls(emulator, shop) == []

    page = csrf_client.get(reverse("billing:page", args=[shop.slug]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = csrf_client.post(
        url, {"plan": "pro", "interval": "month", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    assert parse_qs(urlsplit(response["Location"]).query) == {}
