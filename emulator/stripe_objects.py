"""Stripe's catalogue and customer objects in the emulator: products, prices, customers,
payment methods with the documented test cards, and the emulated tax.

Shapes follow the API reference (docs.stripe.com/api/products/object, /prices/object,
/customers/object, /payment_methods/object) at API version 2026-10-28.endive.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
import time

from emulator.stripe_core import (
    StripeError,
    all_of,
    emit,
    get,
    new_id,
    now,
    put,
    store,
)

# Test cards (docs.stripe.com/testing#cards, #declined-payments, #authentication-and-setup):
# number -> (brand, behaviour). "decline"/"insufficient_funds" fail at once, "fail_later"
# (…0341) attaches but every charge fails, "authenticate" (…3184) needs 3-D Secure on every
# payment.
TEST_CARDS = {
    "4242424242424242": ("visa", "succeed"),
    "5555555555554444": ("mastercard", "succeed"),
    "4000000000000002": ("visa", "decline"),
    "4000000000009995": ("visa", "insufficient_funds"),
    "4000000000000341": ("visa", "fail_later"),
    "4000002760003184": ("visa", "authenticate"),
}
# The card a control call swaps in: outcome -> number.
OUTCOME_CARDS = {
    "succeed": "4242424242424242",
    "decline": "4000000000000341",
    "authenticate": "4000002760003184",
}
# Decline messages and codes (docs.stripe.com/declines/codes).
DECLINES = {
    "decline": ("card_declined", "generic_decline", "Your card was declined."),
    "fail_later": ("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
}
# Emulated Stripe Tax: standard VAT rates of a few countries (taxation-customs.ec.europa.eu,
# "VAT rates"; GB from gov.uk/vat-rates); elsewhere no tax is collected.
TAX_RATES = {"DE": 19, "FR": 20, "NL": 21, "IE": 23, "ES": 21, "IT": 22, "GB": 20}
COUNTRIES = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "IE": "Ireland",
    "ES": "Spain",
    "IT": "Italy",
    "CA": "Canada",
    "AU": "Australia",
}
CURRENCIES = ("usd", "eur", "gbp", "cad", "aud", "chf", "sek", "dkk", "nok", "jpy")
INTERVALS = ("day", "week", "month", "year")


def product(
    name: str,
    *,
    product_id: str | None = None,
    description: str | None = None,
    metadata: dict | None = None,
    active: bool = True,
) -> dict:
    if not name:
        raise StripeError("Missing required param: name.", param="name")
    if product_id and get(product_id) is not None:
        raise StripeError(
            f"Product already exists: {product_id}", param="id", code="resource_already_exists"
        )
    created = now()
    return put(
        {
            "id": product_id or new_id("prod", 14),
            "object": "product",
            "active": active,
            "created": created,
            "default_price": None,
            "description": description,
            "images": [],
            "livemode": False,
            "marketing_features": [],
            "metadata": metadata or {},
            "name": name,
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": None,
            "type": "service",
            "unit_label": None,
            "updated": created,
            "url": None,
        }
    )


def claim_lookup_key(lookup_key: str | None, transfer: bool) -> None:
    """A lookup key belongs to one price; `transfer_lookup_key` moves it (docs.stripe.com/api/
    prices/create#create_price-transfer_lookup_key), otherwise reusing it is an error."""
    if not lookup_key:
        return
    for other in all_of("price"):
        if other["lookup_key"] == lookup_key:
            if not transfer:
                raise StripeError(
                    f"A price (`{other['id']}`) already uses that lookup key.",
                    param="lookup_key",
                )
            other["lookup_key"] = None
            refresh_price(other)


def refresh_price(price_obj: dict) -> None:
    """Subscription items show the price as it is now, as the API does."""
    for sub in all_of("subscription"):
        for item in sub["items"]["data"]:
            if item["price"]["id"] == price_obj["id"]:
                item["price"] = copy.deepcopy(price_obj)
                item["plan"] = plan_of(price_obj)


def price(
    product_id: str,
    *,
    unit_amount: int,
    currency: str,
    interval: str | None,
    interval_count: int = 1,
    lookup_key: str | None = None,
    transfer_lookup_key: bool = False,
    nickname: str | None = None,
    metadata: dict | None = None,
    tax_behavior: str = "unspecified",
    price_id: str | None = None,
) -> dict:
    if currency not in CURRENCIES:
        raise StripeError(f"Invalid currency: {currency}.", param="currency")
    if price_id and get(price_id) is not None:
        raise StripeError(
            f"Price already exists: {price_id}", param="id", code="resource_already_exists"
        )
    claim_lookup_key(lookup_key, transfer_lookup_key)
    recurring = None
    if interval:
        recurring = {
            "interval": interval,
            "interval_count": interval_count,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    return put(
        {
            "id": price_id or new_id("price"),
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": now(),
            "currency": currency,
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": lookup_key,
            "metadata": metadata or {},
            "nickname": nickname,
            "product": product_id,
            "recurring": recurring,
            "tax_behavior": tax_behavior,
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
        }
    )


def plan_of(price_obj: dict) -> dict:
    """The legacy `plan` twin of a recurring price that subscription items still carry."""
    recurring = price_obj["recurring"] or {}
    return {
        "id": price_obj["id"],
        "object": "plan",
        "active": price_obj["active"],
        "amount": price_obj["unit_amount"],
        "amount_decimal": price_obj["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price_obj["created"],
        "currency": price_obj["currency"],
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count", 1),
        "livemode": False,
        "metadata": price_obj["metadata"],
        "meter": None,
        "nickname": price_obj["nickname"],
        "product": price_obj["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def product_name(price_obj: dict) -> str:
    found = get(price_obj["product"], "product")
    return found["name"] if found else price_obj["product"]


def customer(
    *,
    email: str | None = None,
    name: str | None = None,
    metadata: dict | None = None,
    description: str | None = None,
    phone: str | None = None,
    address: dict | None = None,
) -> dict:
    prefix = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8))
    created = put(
        {
            "id": new_id("cus", 14),
            "object": "customer",
            "address": address,
            "balance": 0,
            "created": now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": description,
            "discount": None,
            "email": email,
            "invoice_prefix": prefix,
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": metadata or {},
            "name": name,
            "next_invoice_sequence": 1,
            "phone": phone,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
    )
    emit("customer.created", created)
    return created


def address(country: str | None, postal_code: str | None = None) -> dict | None:
    if not country:
        return None
    return {
        "city": None,
        "country": country,
        "line1": None,
        "line2": None,
        "postal_code": postal_code or None,
        "state": None,
    }


# --- cards -----------------------------------------------------------------------------


def _luhn(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def read_card(form: dict) -> tuple[str, int, int]:
    """(number, exp month, exp year) of a card form, as Stripe Elements checks it; raises
    ValueError with the message the page shows."""
    number = re.sub(r"[\s-]", "", form.get("card_number", ""))
    if not number:
        raise ValueError("Your card number is incomplete.")
    if not number.isdigit() or not 13 <= len(number) <= 19 or not _luhn(number):
        raise ValueError("Your card number is invalid.")
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", form.get("card_expiry", ""))
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise ValueError("Your card's expiration date is incomplete.")
    month, year = int(match.group(1)), int(match.group(2))
    year += 2000 if year < 100 else 0
    current = time.gmtime()
    if (year, month) < (current.tm_year, current.tm_mon):
        raise ValueError("Your card's expiration year is in the past.")
    if not re.fullmatch(r"\d{3,4}", form.get("card_cvc", "").strip()):
        raise ValueError("Your card's security code is incomplete.")
    if number not in TEST_CARDS:
        # Test mode refuses real cards (docs.stripe.com/testing#use-test-cards).
        raise ValueError(
            "Your card was declined. Your request was in test mode, but used a non test card."
        )
    return number, month, year


def card_behaviour(payment_method_id: str | None) -> str | None:
    return store().setdefault("card_behaviour", {}).get(payment_method_id or "")


def payment_method(
    number: str, month: int, year: int, customer_obj: dict, name: str | None = None
) -> dict:
    """A card payment method attached to the customer (payment_method.attached)."""
    brand, behaviour = TEST_CARDS[number]
    created = put(
        {
            "id": new_id("pm"),
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": {
                "address": customer_obj.get("address"),
                "email": customer_obj.get("email"),
                "name": name or customer_obj.get("name"),
                "phone": None,
                "tax_id": None,
            },
            "card": {
                "brand": brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "US",
                "display_brand": brand,
                "exp_month": month,
                "exp_year": year,
                "fingerprint": new_id("fp", 16)[3:],
                "funding": "credit",
                "generated_from": None,
                "last4": number[-4:],
                "networks": {"available": [brand], "preferred": None},
                "three_d_secure_usage": {"supported": True},
                "wallet": None,
            },
            "created": now(),
            "customer": customer_obj["id"],
            "livemode": False,
            "metadata": {},
            "type": "card",
        }
    )
    store().setdefault("card_behaviour", {})[created["id"]] = behaviour
    emit("payment_method.attached", created)
    return created


def charge_outcome(
    customer_id: str, payment_method_id: str | None, *, authenticated: bool = False
) -> tuple[str, tuple[str, str, str] | None]:
    """("succeeded" | "failed" | "requires_action", decline details) of charging the card now.
    A control override (`/_control/stripe/customers/{id}/card`) wins over the card's own
    behaviour; `authenticated` means the customer just passed 3-D Secure on a page."""
    behaviour = store()["card_outcome"].get(customer_id) or card_behaviour(payment_method_id)
    if payment_method_id is None or behaviour is None:
        return "failed", (
            "resource_missing",
            "",
            "This customer has no attached payment source or default payment method.",
        )
    if behaviour == "succeed":
        return "succeeded", None
    if behaviour == "authenticate":
        return ("succeeded", None) if authenticated else ("requires_action", None)
    if behaviour == "decline":
        behaviour = "fail_later"
    return "failed", DECLINES[behaviour]


def tax_for(amount: int, country: str | None, behaviour: str) -> tuple[int, dict | None]:
    """(exclusive tax to add, the total_taxes entry) for a line amount."""
    rate = TAX_RATES.get(country or "")
    if rate is None:
        entry = {
            "amount": 0,
            "tax_behavior": "exclusive",
            "tax_rate_details": None,
            "taxability_reason": "not_collecting",
            "taxable_amount": 0,
            "type": "tax_rate_details",
        }
        return 0, entry
    if behaviour == "inclusive":
        tax = amount - round(amount * 100 / (100 + rate))
        taxable, added = amount - tax, 0
    else:
        tax = round(amount * rate / 100)
        taxable, added = amount, tax
    entry = {
        "amount": tax,
        "tax_behavior": "inclusive" if behaviour == "inclusive" else "exclusive",
        "tax_rate_details": {"tax_rate": f"txr_emulated_{country.lower()}"},
        "taxability_reason": "standard_rated",
        "taxable_amount": taxable,
        "type": "tax_rate_details",
    }
    return added, entry
