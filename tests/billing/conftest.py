"""Billing fixtures: the emulator's Stripe (over real HTTP, through the real SDK), the plans
seeded into it, its webhooks pointed at the live server, and the event task's function run
in this process (no eager mode: the code under test is real)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from billing import events
from billing.accounts import ensure_customer
from billing.models import BillingAccount, Plan, StripeEvent
from billing.plans import seed_plans
from billing.stripe_client import client

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


class StripeControl:
    """The emulator's Stripe: its control API (clock, cards, webhooks) and checkout."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator

    def control(self, path: str, payload: dict | None = None, method: str = "POST") -> Any:
        return self.emulator.control(method, f"stripe/{path}", payload)

    def advance(self, **when: int) -> dict:
        """advance(days=N) / advance(seconds=N): renewals, retries, trial ends run."""
        return self.control("advance", when)

    def card(self, customer: str, outcome: str) -> None:
        """Future charges of the customer's card "decline", "succeed" or "authenticate"."""
        self.control(f"customers/{customer}/card", {"outcome": outcome})

    def pause_webhooks(self, paused: bool = True) -> None:
        self.control("webhooks", {"paused": paused})

    def replay(self, order: str, **which: Any) -> Any:
        return self.control("replay", {"order": order, **which})

    def deliveries(self) -> list[dict]:
        return self.control("deliveries", method="GET")

    def subscribe(
        self, account: BillingAccount, plan: Plan, interval: str = "month", card: str = GOOD_CARD
    ) -> str:
        """Check out as our Checkout does, completed with `card`; the subscription id."""
        customer = ensure_customer(account, email="owner@example.test")
        price = plan.stripe_price_monthly if interval == "month" else plan.stripe_price_yearly
        workspace_id = str(account.workspace_id)
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": customer,
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": workspace_id,
            "subscription_data": {"metadata": {"workspace_id": workspace_id}},
            "success_url": "http://testserver/done?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://testserver/billing/",
        }
        if plan.trial_days:
            params["subscription_data"]["trial_period_days"] = plan.trial_days
        session = client().v1.checkout.sessions.create(params=params)
        self.control(f"checkout/{session.id}/complete", {"card": card})
        return client().v1.checkout.sessions.retrieve(session.id).subscription


@pytest.fixture
def stripe_emulator(emulator: Any) -> StripeControl:
    """The emulator's Stripe, reset for this test (webhooks go nowhere until registered)."""
    return StripeControl(emulator)


@pytest.fixture
def stripe_plans(stripe_emulator: StripeControl) -> dict[str, Plan]:
    """Free, Pro and Business, the paid ones with their prices in the emulator's Stripe (the
    test brings the database: `db` or `transactional_db`)."""
    return {plan.code: plan for plan in seed_plans()}


@pytest.fixture
def stripe_webhooks(live_server: Any, stripe_emulator: StripeControl) -> str:
    """The emulator delivers every event, signed with our first secret, to the live server."""
    url = f"{live_server.url}/webhooks/stripe/"
    stripe_emulator.control(
        "webhook_endpoints", {"url": url, "secret": settings.STRIPE_WEBHOOK_SECRETS[0]}
    )
    return url


@pytest.fixture
def process_events() -> Callable[[], list[str]]:
    """Run the event task's function over every stored, unprocessed event, oldest first."""

    def run() -> list[str]:
        pending = StripeEvent.objects.filter(processed_at__isnull=True).order_by("created", "pk")
        return [events.process(pk) for pk in list(pending.values_list("pk", flat=True))]

    return run
