"""Emulated Stripe API: subscriptions and invoices (docs.stripe.com/api/subscriptions,
docs.stripe.com/api/invoices). Subscriptions are made by Checkout; one item each."""

from __future__ import annotations

from emulator.server import Request
from emulator.stripe_billing import (
    attempt,
    cancel,
    change_price,
    end_trial,
    item_of,
    set_cancel_at_period_end,
    upcoming_invoice,
    update_subscription,
)
from emulator.stripe_core import (
    StripeError,
    all_of,
    boolean,
    choice,
    integer,
    metadata,
    need,
    now,
    page,
    text,
)
from emulator.stripe_http import endpoint

_ID = r"(?P<id>[A-Za-z0-9_]+)"
# docs.stripe.com/api/subscriptions/list#list_subscriptions-status
_LIST_STATUSES = (
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)
_ENDED = ("canceled", "incomplete_expired")


@endpoint("GET", f"subscriptions/{_ID}", "subscriptions.retrieve")
def retrieve_subscription(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "subscription")


@endpoint(
    "GET",
    "subscriptions",
    "subscriptions.list",
    "customer price status limit starting_after ending_before",
)
def list_subscriptions(req: Request, payload: dict) -> dict:
    """Without `status`, canceled subscriptions are left out; `all` includes them."""
    status = choice(payload, "status", _LIST_STATUSES)

    def keep(sub: dict) -> bool:
        if payload.get("customer") not in (None, sub["customer"]):
            return False
        if payload.get("price") not in (None, item_of(sub)["price"]["id"]):
            return False
        if status is None:
            return sub["status"] not in _ENDED
        if status == "ended":
            return sub["status"] in _ENDED
        return status == "all" or sub["status"] == status

    return page([s for s in all_of("subscription") if keep(s)], payload, "/v1/subscriptions")


_UPDATE = (
    "cancel_at_period_end cancel_at cancellation_details metadata description items "
    "proration_behavior payment_behavior default_payment_method trial_end proration_date"
)


def _cancellation_details(payload: dict) -> dict | None:
    details = payload.get("cancellation_details")
    if details is None:
        return None
    if not isinstance(details, dict):
        raise StripeError("Invalid object: cancellation_details", param="cancellation_details")
    feedback = choice(
        details,
        "feedback",
        (
            "customer_service",
            "low_quality",
            "missing_features",
            "other",
            "switched_service",
            "too_complex",
            "too_expensive",
            "unused",
        ),
    )
    return {"comment": text(details, "comment"), "feedback": feedback}


def _item_change(sub: dict, payload: dict) -> tuple[dict, int | None] | None:
    """(new price, quantity) from `items`, the emulator handling one item per subscription."""
    items = payload.get("items")
    if items is None:
        return None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise StripeError(
            "The emulator supports one item per subscription: pass items[0][id] with "
            "items[0][price].",
            param="items",
        )
    change = items[0]
    if change.get("id") != item_of(sub)["id"]:
        raise StripeError(
            "items[0][id] must be the subscription's item (the emulator keeps one item).",
            param="items[0][id]",
        )
    if boolean(change, "deleted"):
        raise StripeError("A subscription needs at least one item.", param="items[0][deleted]")
    price_id = change.get("price") or item_of(sub)["price"]["id"]
    quantity = integer(change, "quantity", minimum=1)
    return need(price_id, "price", "items[0][price]"), quantity


@endpoint("POST", f"subscriptions/{_ID}", "subscriptions.update", _UPDATE)
def update(req: Request, payload: dict) -> dict:
    sub = need(req.params["id"], "subscription")
    if sub["status"] in _ENDED and set(payload) - {"metadata", "cancellation_details", "expand"}:
        raise StripeError(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    proration = choice(
        payload,
        "proration_behavior",
        ("create_prorations", "always_invoice", "none"),
        "create_prorations",
    )
    payment_behavior = choice(
        payload,
        "payment_behavior",
        ("allow_incomplete", "error_if_incomplete", "default_incomplete"),
        "allow_incomplete",
    )
    change = _item_change(sub, payload)
    cancel_flag = boolean(payload, "cancel_at_period_end")
    details = _cancellation_details(payload)
    method = text(payload, "default_payment_method")
    if method:
        pm = need(method, "payment_method", "default_payment_method")
        if pm["customer"] != sub["customer"]:
            raise StripeError(
                "The payment method must be attached to the subscription's customer.",
                param="default_payment_method",
            )
    cancel_at = payload.get("cancel_at")
    if cancel_at not in (None, ""):
        cancel_at = integer(payload, "cancel_at", minimum=now())
    trial_end = payload.get("trial_end")
    if trial_end not in (None, "now"):
        raise StripeError("The emulator only supports trial_end=now on update.", param="trial_end")

    def apply(s: dict) -> None:
        s["metadata"] = metadata(payload, s["metadata"])
        if "description" in payload:
            s["description"] = text(payload, "description")
        if method:
            s["default_payment_method"] = method
        if details and cancel_flag is None:
            s["cancellation_details"] = {**s["cancellation_details"], **details}
        if cancel_at is not None:
            s["cancel_at"] = cancel_at or None
            s["cancel_at_period_end"] = False

    update_subscription(sub, apply)
    if cancel_flag is not None:
        set_cancel_at_period_end(sub, cancel_flag, details)
    if change is not None:
        new_price, quantity = change
        change_price(sub, new_price, proration, payment_behavior, quantity)
    if trial_end == "now" and sub["status"] == "trialing":
        sub["trial_end"] = now()
        end_trial(sub)
    return sub


@endpoint(
    "DELETE",
    f"subscriptions/{_ID}",
    "subscriptions.cancel",
    "invoice_now prorate cancellation_details",
)
def cancel_now(req: Request, payload: dict) -> dict:
    sub = need(req.params["id"], "subscription")
    if sub["status"] in _ENDED:
        raise StripeError(
            f"No such subscription: '{sub['id']}' (it is already canceled)",
            status=404,
            code="resource_missing",
        )
    if details := _cancellation_details(payload):
        sub["cancellation_details"] = {**sub["cancellation_details"], **details}
    return cancel(sub)


# --- invoices ------------------------------------------------------------------------------


@endpoint(
    "GET",
    "invoices",
    "invoices.list",
    "customer subscription status collection_method created limit starting_after ending_before",
)
def list_invoices(req: Request, payload: dict) -> dict:
    status = choice(payload, "status", ("draft", "open", "paid", "uncollectible", "void"))

    def keep(invoice: dict) -> bool:
        subscription = invoice["parent"]["subscription_details"]["subscription"]
        return (
            payload.get("customer") in (None, invoice["customer"])
            and payload.get("subscription") in (None, subscription)
            and status in (None, invoice["status"])
        )

    return page([i for i in all_of("invoice") if keep(i)], payload, "/v1/invoices")


@endpoint("GET", f"invoices/{_ID}", "invoices.retrieve")
def retrieve_invoice(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "invoice")


@endpoint("GET", f"invoices/{_ID}/lines", "invoices.lines", "limit starting_after ending_before")
def invoice_lines(req: Request, payload: dict) -> dict:
    invoice = need(req.params["id"], "invoice")
    return page(invoice["lines"]["data"], payload, f"/v1/invoices/{invoice['id']}/lines")


@endpoint("POST", f"invoices/{_ID}/pay", "invoices.pay", "payment_method off_session")
def pay_invoice(req: Request, payload: dict) -> dict:
    """Charge an open invoice now (docs.stripe.com/api/invoices/pay); a decline is a 402."""
    invoice = need(req.params["id"], "invoice")
    if invoice["status"] == "paid":
        raise StripeError("Invoice is already paid", code="invoice_already_paid")
    if invoice["status"] != "open":
        raise StripeError(f"You can only pay an open invoice; this one is {invoice['status']}.")
    method = text(payload, "payment_method")
    if method:
        pm = need(method, "payment_method", "payment_method")
        if pm["customer"] != invoice["customer"]:
            raise StripeError(
                "The payment method must belong to the invoice's customer.",
                param="payment_method",
            )
    outcome = attempt(invoice, payment_method=method)
    if outcome == "requires_action":
        raise StripeError(
            "This payment requires additional user action before it can be completed.",
            status=402,
            kind="card_error",
            code="invoice_payment_intent_requires_action",
        )
    if outcome != "succeeded":
        raise StripeError(
            "Your card was declined.",
            status=402,
            kind="card_error",
            code="card_declined",
            decline_code="generic_decline",
        )
    return invoice


@endpoint(
    "POST",
    "invoices/create_preview",
    "invoices.create_preview",
    "customer subscription subscription_details",
)
def preview(req: Request, payload: dict) -> dict:
    """The next invoice of a subscription (docs.stripe.com/api/invoices/create_preview):
    the next period's line plus any pending prorations; no changes are previewed."""
    sub = need(text(payload, "subscription", required=True), "subscription", "subscription")
    if sub["status"] in _ENDED:
        raise StripeError(
            "No upcoming invoices for a canceled subscription.", code="invoice_upcoming_none"
        )
    return upcoming_invoice(sub)
