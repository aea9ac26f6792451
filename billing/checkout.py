"""Subscribing through Stripe Checkout and managing it in the Stripe customer portal.

Only Stripe's hosted pages ever see a card. Nothing here grants access: the plan follows the
subscription Stripe reports (webhooks, and the eager sync on the return page)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from mixora.errors import UserFacingError

from .accounts import billing_account, ensure_customer
from .models import BillingAccount, Plan
from .stripe_client import client, stripe_call
from .sync import LIVE, sync_subscription

if TYPE_CHECKING:
    from accounts.models import User, Workspace

INTERVALS = ("month", "year")
# Portal deep links Mixora offers (Stripe's flow_data types); all but the card need the
# subscription.
PORTAL_FLOWS = ("payment_method_update", "subscription_update", "subscription_cancel")
# A double click within this window reuses the first Checkout Session (same idempotency key)
# instead of opening a second one.
CHECKOUT_KEY_WINDOW = 600


def _billing_url(workspace: Workspace, name: str = "billing:page") -> str:
    return settings.SITE_URL + reverse(name, args=[workspace.slug])


def _stripe_subscriptions(customer_id: str) -> list[Any]:
    with stripe_call("check the workspace's subscriptions"):
        page = client().v1.subscriptions.list(
            params={"customer": customer_id, "status": "all", "limit": 100}
        )
    return list(page.data)


def price_for(plan: Plan, interval: str) -> str:
    """The Stripe price of a plan the billing page offers, or a refusal."""
    if interval not in INTERVALS:
        raise UserFacingError("Choose monthly or yearly billing.")
    price = plan.stripe_price_yearly if interval == "year" else plan.stripe_price_monthly
    if not plan.is_public or plan.is_free or not price:
        raise UserFacingError("That plan cannot be bought here. Choose one of the plans shown.")
    return price


def start_checkout(workspace: Workspace, plan: Plan, interval: str, *, user: User) -> str:
    """The URL to send the owner to: a new Checkout Session for `plan`, or, when the workspace
    already has a live subscription (Stripe: one per customer), the portal's confirmation of
    the switch to `plan`."""
    price = price_for(plan, interval)
    account = billing_account(workspace)
    customer = ensure_customer(account, email=user.email)
    # Stripe is asked, not our mirror: it may not have heard yet of a subscription completed
    # moments ago, and a trial is offered only to a workspace that never had one.
    existing = _stripe_subscriptions(customer)
    live = next((sub for sub in existing if sub["status"] in LIVE), None)
    if live is not None:
        return _switch_in_portal(account, live, price)
    trialed = account.trial_end is not None or any(sub["trial_end"] for sub in existing)

    subscription_data: dict[str, Any] = {"metadata": {"workspace_id": str(workspace.pk)}}
    if plan.trial_days and not trialed:
        subscription_data["trial_period_days"] = plan.trial_days
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": customer,
        "line_items": [{"price": price, "quantity": 1}],
        "client_reference_id": str(workspace.pk),
        "subscription_data": subscription_data,
        "success_url": _billing_url(workspace, "billing:return")
        + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": _billing_url(workspace),
    }
    if settings.STRIPE_AUTOMATIC_TAX:
        params |= {
            "automatic_tax": {"enabled": True},
            "tax_id_collection": {"enabled": True},
            # An existing customer's address and name come from what they type in Checkout.
            "customer_update": {"address": "auto", "name": "auto"},
        }
    window = int(time.time()) // CHECKOUT_KEY_WINDOW
    key = (
        f"checkout-{workspace.pk}-{price}-{subscription_data.get('trial_period_days', 0)}-{window}"
    )
    with stripe_call("open the checkout page"):
        session = client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": key}
        )
    return session["url"]


def _portal(account: BillingAccount, flow_data: dict[str, Any] | None = None) -> str:
    billing_page = _billing_url(account.workspace)
    params: dict[str, Any] = {"customer": account.stripe_customer_id, "return_url": billing_page}
    if flow_data:
        # After the one task, straight back to the billing page.
        params["flow_data"] = flow_data | {
            "after_completion": {"type": "redirect", "redirect": {"return_url": billing_page}}
        }
    with stripe_call("open the billing portal"):
        session = client().v1.billing_portal.sessions.create(params=params)
    return session["url"]


def _switch_in_portal(account: BillingAccount, subscription: Any, price: str) -> str:
    item = subscription["items"]["data"][0]
    if item["price"]["id"] == price:
        return _portal(account)  # already on it: the portal's overview
    return _portal(
        account,
        {
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {
                "subscription": subscription["id"],
                "items": [{"id": item["id"], "price": price, "quantity": 1}],
            },
        },
    )


def open_portal(workspace: Workspace, *, user: User, flow: str = "") -> str:
    """The URL of a customer portal session (card, plan, cancellation, invoices), optionally
    deep-linked into one flow; it returns to the billing page."""
    account = billing_account(workspace)
    if not account.stripe_customer_id:
        raise UserFacingError("There is no subscription to manage yet: choose a plan first.")
    if flow and flow not in PORTAL_FLOWS:
        raise UserFacingError("That billing action is not available.")
    if flow == "payment_method_update":
        return _portal(account, {"type": flow})
    if flow and account.stripe_subscription_id:
        return _portal(
            account, {"type": flow, flow: {"subscription": account.stripe_subscription_id}}
        )
    return _portal(account)


def complete_return(workspace: Workspace) -> BillingAccount:
    """Checkout's success redirect: mirror the customer's subscription from Stripe now, so the
    page can show it without waiting for the webhook. The redirect itself proves nothing (its
    session id is not even read): the status is whatever Stripe reports."""
    account = billing_account(workspace)
    if not account.stripe_customer_id:
        return account
    return sync_subscription(account)
