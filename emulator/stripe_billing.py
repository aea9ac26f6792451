"""Stripe Billing in the emulator: subscriptions, their invoices, payments and retries, plan
changes with prorations, cancellation.

Sources: subscription statuses docs.stripe.com/billing/subscriptions/overview#subscription-statuses;
invoice life cycle docs.stripe.com/invoicing/integration/workflow-transitions and
docs.stripe.com/billing/subscriptions/webhooks; prorations
docs.stripe.com/billing/subscriptions/prorations; retries
docs.stripe.com/billing/revenue-recovery/smart-retries.
"""

from __future__ import annotations

import calendar
import copy
from datetime import UTC, datetime

from emulator.stripe_core import (
    DAY,
    HOUR,
    StripeError,
    all_of,
    base,
    changes,
    emit,
    get,
    list_of,
    money,
    new_id,
    now,
    put,
    store,
)
from emulator.stripe_objects import charge_outcome, plan_of, product_name, tax_for

LIVE = ("trialing", "active", "past_due", "unpaid", "paused", "incomplete")
# Stripe waits an hour after invoice.created before finalizing and charging a renewal invoice
# (docs.stripe.com/invoicing/integration/workflow-transitions#finalized).
FINALIZE_DELAY = HOUR
# customer.subscription.trial_will_end comes three days before the trial ends
# (docs.stripe.com/billing/subscriptions/trials#events).
TRIAL_WARNING = 3 * DAY


# --- time ------------------------------------------------------------------------------


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    """One billing interval later; months keep the anchor's day, clamped to the month's end
    (docs.stripe.com/billing/subscriptions/billing-cycle)."""
    if interval == "day":
        return timestamp + count * DAY
    if interval == "week":
        return timestamp + count * 7 * DAY
    moment = datetime.fromtimestamp(timestamp, UTC)
    months = count * (12 if interval == "year" else 1)
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def period_after(anchor: int, start: int, recurring: dict) -> int:
    """The end of the period starting at `start`, aligned to the billing cycle anchor."""
    steps = 1
    while True:
        end = add_interval(anchor, recurring["interval"], steps * recurring["interval_count"])
        if end > start:
            return end
        steps += 1


def day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%-d %b %Y")


# --- subscriptions -----------------------------------------------------------------------


def item_of(sub: dict) -> dict:
    return sub["items"]["data"][0]


def default_payment_method(sub: dict) -> str | None:
    """Subscription default first, then the customer's invoice default
    (docs.stripe.com/billing/revenue-recovery/smart-retries#payment-method-ordering)."""
    if sub["default_payment_method"]:
        return sub["default_payment_method"]
    cus = get(sub["customer"], "customer")
    return cus["invoice_settings"]["default_payment_method"] if cus else None


def create_subscription(
    cus: dict,
    price_obj: dict,
    *,
    quantity: int = 1,
    trial_days: int | None = None,
    metadata: dict | None = None,
    description: str | None = None,
    payment_method: str | None = None,
    automatic_tax: bool = False,
    missing_payment_method: str = "create_invoice",
) -> dict:
    """A new subscription whose first invoice is paid (the checkout took the payment) or, in a
    trial, a $0 invoice; emits customer.subscription.created and the first invoice's events."""
    start = now()
    trial_end = start + trial_days * DAY if trial_days else None
    anchor = trial_end or start
    sub_id = new_id("sub")
    item = {
        "id": new_id("si", 14),
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": start,
        "current_period_end": trial_end or period_after(anchor, start, price_obj["recurring"]),
        "current_period_start": start,
        "discounts": [],
        "metadata": {},
        "plan": plan_of(price_obj),
        "price": copy.deepcopy(price_obj),
        "quantity": quantity,
        "subscription": sub_id,
        "tax_rates": [],
    }
    sub = put(
        {
            "id": sub_id,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": automatic_tax, "liability": None},
            "billing_cycle_anchor": anchor,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
            "billing_thresholds": None,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": start,
            "currency": price_obj["currency"],
            "customer": cus["id"],
            "days_until_due": None,
            "default_payment_method": payment_method,
            "default_source": None,
            "default_tax_rates": [],
            "description": description,
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": list_of([item], f"/v1/subscription_items?subscription={sub_id}"),
            "latest_invoice": None,
            "livemode": False,
            "metadata": metadata or {},
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": start,
            "status": "trialing" if trial_end else "active",
            "test_clock": None,
            "transfer_data": None,
            "trial_end": trial_end,
            "trial_settings": {"end_behavior": {"missing_payment_method": missing_payment_method}},
            "trial_start": start if trial_end else None,
        }
    )
    if trial_end:
        line = _line(sub, f"Trial period for {product_name(price_obj)}", 0, start, trial_end)
    else:
        line = item_line(sub, start, item["current_period_end"])
    invoice = create_invoice(sub, [line], "subscription_create", start, start, scheduled=False)
    sub["latest_invoice"] = invoice["id"]
    emit("customer.subscription.created", sub)
    emit("invoice.created", invoice)
    finalize(invoice)
    if invoice["amount_due"] == 0:
        mark_paid(invoice)
    else:
        # The page already confirmed the card, so this payment succeeds.
        record_payment(invoice, sub)
    return sub


def update_subscription(sub: dict, apply, event: str = "customer.subscription.updated") -> dict:
    """Change a subscription and emit the event with `previous_attributes`."""
    before = copy.deepcopy(sub)
    apply(sub)
    previous = changes(before, sub)
    if previous:
        emit(event, sub, previous)
    return sub


def set_status(sub: dict, status: str) -> None:
    if sub["status"] != status:
        update_subscription(sub, lambda s: s.update(status=status))


def cancel(sub: dict, reason: str = "cancellation_requested") -> dict:
    """Cancel now: canceled, customer.subscription.deleted; its open invoices stop being
    collected (docs.stripe.com/billing/subscriptions/cancel)."""
    moment = now()
    sub.update(
        status="canceled",
        canceled_at=moment,
        ended_at=moment,
        cancellation_details={**sub["cancellation_details"], "reason": reason},
    )
    for invoice in invoices_of(sub):
        if invoice["status"] == "open" and invoice["next_payment_attempt"]:
            invoice["next_payment_attempt"] = None
        if invoice["status"] == "draft":
            invoice["automatically_finalizes_at"] = None
            invoice["status"] = "void"
    store()["proration_items"].pop(sub["id"], None)
    emit("customer.subscription.deleted", sub)
    return sub


def set_cancel_at_period_end(sub: dict, flag: bool, details: dict | None = None) -> dict:
    """Cancel at the end of the period (or undo it); `cancel_at` follows the period end."""

    def apply(s: dict) -> None:
        s["cancel_at_period_end"] = flag
        s["cancel_at"] = item_of(s)["current_period_end"] if flag else None
        s["canceled_at"] = now() if flag else None
        reason = "cancellation_requested" if flag else None
        s["cancellation_details"] = {
            "comment": None,
            "feedback": None,
            **(details or {}),
            "reason": reason,
        }

    return update_subscription(sub, apply)


def _apply_and_bill(sub: dict, apply, lines_of, reason: str, at: int, *, scheduled: bool):
    """Change the subscription and bill it in one step, as Stripe reports it: one
    customer.subscription.updated (with the new latest_invoice), then invoice.created."""
    before = copy.deepcopy(sub)
    apply(sub)
    invoice = create_invoice(sub, lines_of(sub), reason, at, at, scheduled=scheduled)
    sub["latest_invoice"] = invoice["id"]
    emit("customer.subscription.updated", sub, changes(before, sub))
    emit("invoice.created", invoice)
    return invoice


def renew(sub: dict) -> None:
    """The period ended: start the next one and bill it (draft for an hour, then charged)."""
    start = item_of(sub)["current_period_end"]

    def apply(s: dict) -> None:
        recurring = item_of(s)["price"]["recurring"]
        item_of(s)["current_period_start"] = start
        item_of(s)["current_period_end"] = period_after(s["billing_cycle_anchor"], start, recurring)

    def lines_of(s: dict) -> list[dict]:
        pending = store()["proration_items"].pop(s["id"], [])
        return [item_line(s, start, item_of(s)["current_period_end"]), *pending]

    _apply_and_bill(sub, apply, lines_of, "subscription_cycle", start, scheduled=True)


def end_trial(sub: dict) -> None:
    """The trial ended: the subscription becomes active and its first paid period is invoiced,
    unless there is no payment method and the trial settings say cancel or pause
    (docs.stripe.com/billing/subscriptions/trials#create-free-trials-without-payment)."""
    behaviour = sub["trial_settings"]["end_behavior"]["missing_payment_method"]
    if default_payment_method(sub) is None and behaviour == "cancel":
        cancel(sub, "cancellation_requested")
        return
    if default_payment_method(sub) is None and behaviour == "pause":
        update_subscription(sub, lambda s: s.update(status="paused"))
        emit("customer.subscription.paused", sub)
        return
    start = sub["trial_end"]

    def apply(s: dict) -> None:
        s["status"] = "active"
        item_of(s)["current_period_start"] = start
        item_of(s)["current_period_end"] = period_after(
            start, start, item_of(s)["price"]["recurring"]
        )

    def lines_of(s: dict) -> list[dict]:
        return [item_line(s, start, item_of(s)["current_period_end"])]

    _apply_and_bill(sub, apply, lines_of, "subscription_cycle", start, scheduled=True)


def change_price(
    sub: dict, new_price: dict, proration: str, payment_behavior: str, quantity: int | None
) -> dict:
    """Switch the subscription's one item to another price (docs.stripe.com/billing/
    subscriptions/change-price). A new interval restarts the billing period and bills at once;
    otherwise prorations wait for the next invoice, are billed now (`always_invoice`) or are
    skipped (`none`). `error_if_incomplete` undoes everything if the payment fails."""
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise StripeError(
            "A canceled subscription can only update its cancellation_details and metadata.",
        )
    if not new_price["recurring"] or not new_price["active"]:
        raise StripeError("The price must be an active recurring price.", param="items[0][price]")
    if new_price["currency"] != sub["currency"]:
        raise StripeError(
            "The price's currency must match the subscription's currency.",
            param="items[0][price]",
        )
    snapshot = copy.deepcopy(store())
    item = item_of(sub)
    old_price, old_quantity = item["price"], item["quantity"]
    quantity = quantity or old_quantity
    moment = now()
    new_interval = new_price["recurring"]["interval"] != old_price["recurring"]["interval"] or (
        new_price["recurring"]["interval_count"] != old_price["recurring"]["interval_count"]
    )
    credits: list[dict] = []
    if sub["status"] != "trialing" and proration != "none":
        credits = _prorations(
            sub, old_price, old_quantity, new_price, quantity, moment, new_interval
        )

    def apply(s: dict) -> None:
        target = item_of(s)
        target.update(price=copy.deepcopy(new_price), plan=plan_of(new_price), quantity=quantity)
        if new_interval and s["status"] != "trialing":
            s["billing_cycle_anchor"] = moment
            target["current_period_start"] = moment
            target["current_period_end"] = period_after(moment, moment, new_price["recurring"])

    pending = store()["proration_items"]
    if sub["status"] == "trialing" or not (new_interval or proration == "always_invoice"):
        update_subscription(sub, apply)
        if credits:
            pending.setdefault(sub["id"], []).extend(credits)
        return sub
    if not new_interval and not credits and not pending.get(sub["id"]):
        update_subscription(sub, apply)
        return sub

    def lines_of(s: dict) -> list[dict]:
        fresh = [item_line(s, moment, item_of(s)["current_period_end"])] if new_interval else []
        return [*credits, *fresh, *pending.pop(s["id"], [])]

    invoice = _apply_and_bill(sub, apply, lines_of, "subscription_update", moment, scheduled=False)
    finalize(invoice)
    if invoice["status"] == "open" and invoice["amount_due"] == 0:
        mark_paid(invoice)
    elif invoice["status"] == "open":
        outcome = attempt(invoice)
        if outcome != "succeeded" and payment_behavior == "error_if_incomplete":
            data = store()
            data.clear()
            data.update(snapshot)
            raise StripeError(
                "Your card was declined.",
                status=402,
                kind="card_error",
                code="card_declined",
                decline_code="generic_decline",
            )
    return sub


def _prorations(
    sub: dict,
    old_price: dict,
    old_quantity: int,
    new_price: dict,
    quantity: int,
    moment: int,
    new_interval: bool,
) -> list[dict]:
    """Credit for the unused time on the old price and, within the same period, the remaining
    time on the new one (docs.stripe.com/billing/subscriptions/prorations)."""
    item = item_of(sub)
    start, end = item["current_period_start"], item["current_period_end"]
    share = max(0, end - moment) / max(1, end - start)
    lines = []
    unused = -round(old_price["unit_amount"] * old_quantity * share)
    if unused:
        lines.append(
            _line(
                sub,
                f"Unused time on {product_name(old_price)} after {day(moment)}",
                unused,
                moment,
                end,
                proration=True,
                price_obj=old_price,
            )
        )
    if not new_interval:
        remaining = round(new_price["unit_amount"] * quantity * share)
        if remaining:
            lines.append(
                _line(
                    sub,
                    f"Remaining time on {product_name(new_price)} after {day(moment)}",
                    remaining,
                    moment,
                    end,
                    proration=True,
                    price_obj=new_price,
                )
            )
    return lines


# --- invoices --------------------------------------------------------------------------


def invoices_of(sub: dict) -> list[dict]:
    return [
        invoice
        for invoice in all_of("invoice")
        if invoice["parent"]["subscription_details"]["subscription"] == sub["id"]
    ]


def _line(
    sub: dict,
    description: str,
    amount: int,
    start: int,
    end: int,
    *,
    proration: bool = False,
    price_obj: dict | None = None,
) -> dict:
    item = item_of(sub)
    price_obj = price_obj or item["price"]
    parent: dict
    if proration:
        parent = {
            "invoice_item_details": {
                "invoice_item": new_id("ii"),
                "proration": True,
                "proration_details": {"credited_items": None},
                "subscription": sub["id"],
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        }
    else:
        parent = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": sub["id"],
                "subscription_item": item["id"],
            },
            "type": "subscription_item_details",
        }
    return {
        "id": new_id("il"),
        "object": "line_item",
        "amount": amount,
        "currency": sub["currency"],
        "description": description,
        "discount_amounts": [],
        "discountable": not proration,
        "discounts": [],
        "invoice": None,
        "livemode": False,
        "metadata": {},
        "parent": parent,
        "period": {"end": end, "start": start},
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": {"price": price_obj["id"], "product": price_obj["product"]},
            "type": "price_details",
            "unit_amount_decimal": price_obj["unit_amount_decimal"],
        },
        "quantity": 1 if proration else item["quantity"],
        "subtotal": amount,
        "taxes": [],
    }


def item_line(sub: dict, start: int, end: int) -> dict:
    """The line billing the item's current price for a period."""
    item = item_of(sub)
    price_obj = item["price"]
    each = money(price_obj["unit_amount"], price_obj["currency"])
    interval = price_obj["recurring"]["interval"]
    description = f"{item['quantity']} × {product_name(price_obj)} (at {each} / {interval})"
    return _line(sub, description, price_obj["unit_amount"] * item["quantity"], start, end)


def create_invoice(
    sub: dict,
    lines: list[dict],
    reason: str,
    period_start: int,
    period_end: int,
    *,
    scheduled: bool = True,
) -> dict:
    """A draft invoice of the subscription (the caller emits invoice.created); `scheduled`
    ones (renewals) finalize an hour later, the others are finalized by the caller at once."""
    cus = get(sub["customer"], "customer") or {}
    invoice_id = new_id("in")
    country = (cus.get("address") or {}).get("country")
    taxes: list[dict] = []
    added = 0
    for line in lines:
        line["invoice"] = invoice_id
        if sub["automatic_tax"]["enabled"]:
            behaviour = get(line["pricing"]["price_details"]["price"], "price") or {}
            extra, entry = tax_for(line["amount"], country, behaviour.get("tax_behavior", ""))
            line["taxes"] = [entry]
            taxes.append(entry)
            added += extra
    subtotal = sum(line["amount"] for line in lines)
    inclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "inclusive")
    total = subtotal + added
    moment = now()
    invoice = put(
        {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "Mixora (emulated Stripe account)",
            "account_tax_ids": None,
            "amount_due": max(total, 0),
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": max(total, 0),
            "amount_shipping": 0,
            "application": None,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": True,
            "automatic_tax": {
                "disabled_reason": None,
                "enabled": sub["automatic_tax"]["enabled"],
                "liability": None,
                "provider": "stripe" if sub["automatic_tax"]["enabled"] else None,
                "status": "complete" if sub["automatic_tax"]["enabled"] else None,
            },
            "automatically_finalizes_at": moment + FINALIZE_DELAY if scheduled else None,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": moment,
            "currency": sub["currency"],
            "custom_fields": None,
            "customer": sub["customer"],
            "customer_address": cus.get("address"),
            "customer_email": cus.get("email"),
            "customer_name": cus.get("name"),
            "customer_phone": cus.get("phone"),
            "customer_shipping": None,
            "customer_tax_exempt": "none",
            "customer_tax_ids": list(store().setdefault("tax_ids", {}).get(sub["customer"], [])),
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": None,
            "ending_balance": None,
            "footer": None,
            "from_invoice": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "issuer": {"type": "self"},
            "last_finalization_error": None,
            "latest_revision": None,
            "lines": list_of(lines, f"/v1/invoices/{invoice_id}/lines"),
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": None,
            "on_behalf_of": None,
            "parent": {
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(sub["metadata"]),
                    "subscription": sub["id"],
                },
                "type": "subscription_details",
            },
            "payment_settings": {
                "default_mandate": None,
                "payment_method_options": None,
                "payment_method_types": None,
            },
            "period_end": period_end,
            "period_start": period_start,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "rendering": None,
            "shipping_cost": None,
            "shipping_details": None,
            "starting_balance": 0,
            "statement_descriptor": None,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": subtotal,
            "subtotal_excluding_tax": subtotal - inclusive,
            "test_clock": None,
            "threshold_reason": None,
            "total": total,
            "total_discount_amounts": [],
            "total_excluding_tax": total - added - inclusive,
            "total_pretax_credit_amounts": [],
            "total_taxes": taxes,
            "webhooks_delivered_at": None,
        }
    )
    return invoice


def finalize(invoice: dict) -> None:
    """draft -> open: a number, the hosted page and PDF, the customer's credit applied
    (docs.stripe.com/billing/customer/balance)."""
    data = store()
    cus = get(invoice["customer"], "customer")
    moment = now()
    invoice["status"] = "open"
    invoice["automatically_finalizes_at"] = None
    invoice["effective_at"] = moment
    invoice["status_transitions"]["finalized_at"] = moment
    if cus:
        sequence = data["invoice_seq"].get(cus["id"], 0) + 1
        data["invoice_seq"][cus["id"]] = sequence
        cus["next_invoice_sequence"] = sequence + 1
        invoice["number"] = f"{cus['invoice_prefix']}-{sequence:04d}"
        balance = cus["balance"]
        invoice["starting_balance"] = balance
        owed = invoice["total"] + balance
        invoice["amount_due"] = invoice["amount_remaining"] = max(owed, 0)
        invoice["ending_balance"] = min(owed, 0)
        cus["balance"] = min(owed, 0)
    invoice["hosted_invoice_url"] = f"{base()}/stripe/invoice/{invoice['id']}"
    invoice["invoice_pdf"] = f"{base()}/stripe/invoice/{invoice['id']}/pdf"
    emit("invoice.finalized", invoice)


def mark_paid(invoice: dict) -> None:
    moment = now()
    invoice["status"] = "paid"
    invoice["amount_paid"] = invoice["amount_due"]
    invoice["amount_remaining"] = 0
    invoice["next_payment_attempt"] = None
    invoice["status_transitions"]["paid_at"] = moment
    emit("invoice.paid", invoice)
    emit("invoice.payment_succeeded", invoice)


def record_payment(invoice: dict, sub: dict | None) -> None:
    invoice["attempt_count"] += 1
    invoice["attempted"] = True
    mark_paid(invoice)
    recovering = sub and sub["status"] in ("past_due", "unpaid", "incomplete", "paused")
    if recovering and not any(i["status"] == "open" for i in invoices_of(sub)):
        set_status(sub, "active")


def attempt(invoice: dict, *, payment_method: str | None = None, authenticated: bool = False):
    """Charge an open invoice once; the outcome. A failure schedules the next retry, or once
    they are used up applies the after-retries setting; the subscription goes past_due."""
    sub = get(invoice["parent"]["subscription_details"]["subscription"], "subscription")
    method = payment_method or (default_payment_method(sub) if sub else None)
    outcome, _ = charge_outcome(invoice["customer"], method, authenticated=authenticated)
    if outcome == "succeeded":
        record_payment(invoice, sub)
        return outcome
    invoice["attempt_count"] += 1
    invoice["attempted"] = True
    invoice["next_payment_attempt"] = _next_retry(invoice)
    if outcome == "requires_action":
        emit("invoice.payment_action_required", invoice)
    else:
        emit("invoice.payment_failed", invoice)
    if sub is None or sub["status"] in ("canceled", "incomplete_expired"):
        return outcome
    if sub["status"] in ("active", "trialing"):
        set_status(sub, "past_due")
    if invoice["next_payment_attempt"] is None:
        _retries_exhausted(sub)
    return outcome


def _next_retry(invoice: dict) -> int | None:
    """The custom retry schedule: days after the first failed attempt
    (docs.stripe.com/billing/revenue-recovery/smart-retries#custom-retry-schedule)."""
    schedule = store()["settings"]["retry_days"]
    first = store().setdefault("first_failure", {}).setdefault(invoice["id"], now())
    done = invoice["attempt_count"] - 1  # retries already made after the first attempt
    if done >= len(schedule):
        return None
    return first + schedule[done] * DAY


def _retries_exhausted(sub: dict) -> None:
    """After the last retry: cancel the subscription, or mark it unpaid (Dashboard setting
    "Subscription status" under Revenue recovery > Retries)."""
    if store()["settings"]["after_retries"] == "unpaid":
        set_status(sub, "unpaid")
    else:
        cancel(sub, "payment_failed")


def retry(invoice: dict) -> None:
    invoice["next_payment_attempt"] = None
    attempt(invoice)


def finalize_and_charge(invoice: dict) -> None:
    """The hour after invoice.created has passed: finalize, then charge (or mark a $0 paid)."""
    finalize(invoice)
    if invoice["amount_due"] == 0:
        mark_paid(invoice)
    else:
        attempt(invoice)


def upcoming_invoice(sub: dict) -> dict:
    """The invoice the next renewal will make, as a preview (no id)."""
    item = item_of(sub)
    start = item["current_period_end"]
    end = period_after(sub["billing_cycle_anchor"], start, item["price"]["recurring"])
    # The same line the renewal will make.
    lines = [item_line(sub, start, end), *store()["proration_items"].get(sub["id"], [])]
    total = sum(line["amount"] for line in lines)
    return {
        "id": None,
        "object": "invoice",
        "amount_due": max(total, 0),
        "amount_paid": 0,
        "amount_remaining": max(total, 0),
        "created": now(),
        "currency": sub["currency"],
        "customer": sub["customer"],
        "lines": list_of(lines, "/v1/invoices/upcoming/lines"),
        "livemode": False,
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": sub["metadata"], "subscription": sub["id"]},
            "type": "subscription_details",
        },
        "period_end": start,
        "period_start": item["current_period_start"],
        "status": "draft",
        "subtotal": total,
        "total": total,
        "total_taxes": [],
    }
