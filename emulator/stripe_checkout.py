"""Emulated Stripe Checkout Sessions and customer portal sessions: the API
(docs.stripe.com/api/checkout/sessions, docs.stripe.com/api/customer_portal/sessions) and
what completing a session does, shared by the hosted page and the control API."""

from __future__ import annotations

from urllib.parse import urlsplit

from emulator.server import Request
from emulator.stripe_api import live_customer
from emulator.stripe_billing import attempt, create_subscription, item_of, update_subscription
from emulator.stripe_core import (
    DAY,
    StripeError,
    all_of,
    base,
    boolean,
    choice,
    emit,
    integer,
    metadata,
    need,
    new_id,
    now,
    page,
    put,
    store,
    text,
    virtual,
)
from emulator.stripe_http import endpoint
from emulator.stripe_objects import (
    DECLINES,
    TEST_CARDS,
    address,
    customer,
    payment_method,
    read_card,
    tax_for,
)

_ID = r"(?P<id>[A-Za-z0-9_]+)"
# A Checkout Session expires 24 hours after creation by default
# (docs.stripe.com/api/checkout/sessions/create#create_checkout_session-expires_at).
SESSION_LIFETIME = DAY


def _private(session_id: str) -> dict:
    """What the session was created with but the API does not show (items, subscription_data)."""
    return store().setdefault("session_private", {}).setdefault(session_id, {})


def _absolute(payload: dict, name: str) -> str | None:
    value = text(payload, name)
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StripeError(f"Not a valid URL: {name}", param=name)
    return value


def _line_items(payload: dict) -> list[dict]:
    items = payload.get("line_items")
    if not isinstance(items, list) or not items:
        raise StripeError(
            "You must specify either `line_items` or `subscription_data[items]` in "
            "`subscription` mode.",
            param="line_items",
        )
    chosen = []
    for index, item in enumerate(items):
        param = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise StripeError(f"Invalid object: {param}", param=param)
        found = need(item.get("price"), "price", f"{param}[price]")
        if not found["active"]:
            raise StripeError(
                f"The price specified is inactive: {found['id']}", param=f"{param}[price]"
            )
        if found["type"] != "recurring":
            raise StripeError(
                "You must provide at least one recurring price in `subscription` mode when "
                "using prices.",
                param=f"{param}[price]",
            )
        quantity = integer(item, "quantity", minimum=1) or 1
        chosen.append({"price": found["id"], "quantity": quantity})
    if len(chosen) != 1:
        raise StripeError(
            "The emulator supports one line item per subscription Checkout Session.",
            param="line_items",
        )
    return chosen


def _subscription_data(payload: dict) -> dict:
    data = payload.get("subscription_data") or {}
    if not isinstance(data, dict):
        raise StripeError("Invalid object: subscription_data", param="subscription_data")
    trial = data.get("trial_settings") or {}
    behaviour = (trial.get("end_behavior") or {}).get("missing_payment_method")
    return {
        # Trials run 1 to 730 days (docs.stripe.com/api/checkout/sessions/create).
        "trial_period_days": integer(data, "trial_period_days", minimum=1, maximum=730),
        "metadata": metadata(data),
        "description": text(data, "description"),
        "missing_payment_method": behaviour or "create_invoice",
    }


_CREATE = (
    "mode line_items customer customer_email client_reference_id success_url cancel_url "
    "metadata subscription_data automatic_tax tax_id_collection customer_update "
    "payment_method_collection billing_address_collection allow_promotion_codes locale "
    "expires_at payment_method_types ui_mode customer_creation"
)


@endpoint("POST", "checkout/sessions", "checkout.sessions.create", _CREATE)
def create_session(req: Request, payload: dict) -> dict:
    mode = choice(payload, "mode", ("payment", "setup", "subscription"))
    if mode is None:
        raise StripeError("Missing required param: mode.", param="mode")
    if mode != "subscription":
        raise StripeError("The emulator implements subscription mode only.", param="mode")
    choice(payload, "ui_mode", ("hosted",), "hosted")
    cus_id = text(payload, "customer")
    if cus_id:
        live_customer(cus_id)
        if payload.get("customer_email"):
            raise StripeError(
                "You may only specify one of these parameters: customer, customer_email.",
                param="customer_email",
            )
    customer_update = payload.get("customer_update") or {}
    if customer_update and not cus_id:
        raise StripeError(
            "customer_update can only be used with customer.", param="customer_update"
        )
    for key in customer_update:
        if key not in ("address", "name", "shipping"):
            raise StripeError(f"Received unknown parameter: customer_update[{key}]")
        choice(customer_update, key, ("auto", "never"))
    automatic_tax = boolean(payload.get("automatic_tax") or {}, "enabled", False)
    tax_ids = boolean(payload.get("tax_id_collection") or {}, "enabled", False)
    if cus_id and (automatic_tax or tax_ids) and "address" not in customer_update:
        live = live_customer(cus_id)
        if not live.get("address"):
            # Stripe needs somewhere to save the address it collects (docs.stripe.com/
            # payments/checkout/taxes#existing-customers).
            raise StripeError(
                "Automatic tax calculation in Checkout requires a valid address on the "
                "Customer. Add a valid address to the Customer or set "
                "`customer_update[address]` to 'auto' to save the address entered in Checkout.",
                param="customer_update[address]",
            )
    items = _line_items(payload)
    data = _subscription_data(payload)
    collection = choice(payload, "payment_method_collection", ("always", "if_required"), "always")
    billing_address = choice(payload, "billing_address_collection", ("auto", "required"), "auto")
    success_url = _absolute(payload, "success_url")
    cancel_url = _absolute(payload, "cancel_url")
    created = now()
    expires_at = integer(payload, "expires_at", minimum=created + 1800, maximum=created + DAY)
    session_id = new_id("cs_test", 58)
    first = need(items[0]["price"], "price")
    subtotal = first["unit_amount"] * items[0]["quantity"]
    due_now = 0 if data["trial_period_days"] else subtotal
    session = put(
        {
            "id": session_id,
            "object": "checkout.session",
            "adaptive_pricing": None,
            "after_expiration": None,
            "allow_promotion_codes": boolean(payload, "allow_promotion_codes"),
            "amount_subtotal": due_now,
            "amount_total": due_now,
            "automatic_tax": {
                "enabled": automatic_tax,
                "liability": {"type": "self"} if automatic_tax else None,
                "provider": "stripe" if automatic_tax else None,
                "status": "requires_location_inputs" if automatic_tax else None,
            },
            "billing_address_collection": billing_address,
            "cancel_url": cancel_url,
            "client_reference_id": text(payload, "client_reference_id"),
            "client_secret": None,
            "collected_information": None,
            "consent": None,
            "consent_collection": None,
            "created": created,
            "currency": first["currency"],
            "custom_fields": [],
            "custom_text": {
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            "customer": cus_id,
            "customer_creation": None if cus_id else "always",
            "customer_details": None,
            "customer_email": text(payload, "customer_email"),
            "discounts": [],
            "expires_at": expires_at or created + SESSION_LIFETIME,
            "invoice": None,
            "invoice_creation": None,
            "livemode": False,
            "locale": text(payload, "locale"),
            "metadata": metadata(payload),
            "mode": "subscription",
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": collection,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": success_url,
            "tax_id_collection": {"enabled": tax_ids, "required": "never"},
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{base()}/stripe/pay/{session_id}",
        }
    )
    _private(session_id).update(
        items=items, subscription_data=data, customer_update=customer_update
    )
    return session


@virtual("line_items", "checkout.session")
def session_line_items(session: dict) -> dict:
    items = []
    for item in _private(session["id"]).get("items", []):
        found = need(item["price"], "price")
        amount = found["unit_amount"] * item["quantity"]
        product = need(found["product"], "product")
        items.append(
            {
                "id": "li_" + session["id"][8:30],
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": found["currency"],
                "description": product["name"],
                "price": found,
                "quantity": item["quantity"],
            }
        )
    return {
        "object": "list",
        "data": items,
        "has_more": False,
        "url": f"/v1/checkout/sessions/{session['id']}/line_items",
    }


@endpoint("GET", f"checkout/sessions/{_ID}", "checkout.sessions.retrieve")
def retrieve_session(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "checkout.session")


@endpoint(
    "GET",
    f"checkout/sessions/{_ID}/line_items",
    "checkout.sessions.line_items",
    "limit starting_after ending_before",
)
def list_session_line_items(req: Request, payload: dict) -> dict:
    return session_line_items(need(req.params["id"], "checkout.session"))


@endpoint(
    "GET",
    "checkout/sessions",
    "checkout.sessions.list",
    "customer subscription status payment_intent limit starting_after ending_before created",
)
def list_sessions(req: Request, payload: dict) -> dict:
    found = [
        s
        for s in all_of("checkout.session")
        if payload.get("customer") in (None, s["customer"])
        and payload.get("subscription") in (None, s["subscription"])
        and payload.get("status") in (None, s["status"])
    ]
    return page(found, payload, "/v1/checkout/sessions")


@endpoint("POST", f"checkout/sessions/{_ID}/expire", "checkout.sessions.expire")
def expire_session(req: Request, payload: dict) -> dict:
    """Only an open session can be expired (docs.stripe.com/api/checkout/sessions/expire)."""
    session = need(req.params["id"], "checkout.session")
    if session["status"] != "open":
        raise StripeError(
            f"This Checkout Session is not open and can't be expired: it is {session['status']}."
        )
    session["status"] = "expired"
    session["url"] = None
    emit("checkout.session.expired", session)
    return session


# --- completing a session (the hosted page and the control API) ----------------------------


class PageError(Exception):
    """A problem the hosted page shows to the customer; nothing was changed."""


def session_price(session: dict) -> tuple[dict, int]:
    item = _private(session["id"])["items"][0]
    return need(item["price"], "price"), item["quantity"]


def session_options(session: dict) -> dict:
    return _private(session["id"])


def needs_card(session: dict) -> bool:
    """`if_required` skips the card when nothing is due now (a trial)."""
    trial = _private(session["id"])["subscription_data"]["trial_period_days"]
    return not (session["payment_method_collection"] == "if_required" and trial)


def complete(session: dict, form: dict, *, authenticated: bool = False) -> str:
    """Pay for the session with the form's card: "complete" (the subscription exists),
    "authenticate" (3-D Secure must be passed first). Raises PageError with the message the
    page shows, changing nothing."""
    if session["status"] != "open":
        raise PageError("This Checkout Session is no longer active.")
    options = _private(session["id"])
    email = session["customer_email"] or form.get("email", "").strip()
    existing = live_customer(session["customer"]) if session["customer"] else None
    if existing is None and "@" not in email:
        raise PageError("Your email is incomplete.")
    country = form.get("country") or None
    wants_address = (
        session["automatic_tax"]["enabled"] or session["billing_address_collection"] == "required"
    )
    if wants_address and not country:
        raise PageError("Your country is required.")
    card = None
    if needs_card(session) or form.get("card_number"):
        try:
            card = read_card(form)
        except ValueError as error:
            raise PageError(str(error)) from None
        behaviour = _behaviour(card[0])
        if behaviour in ("decline", "insufficient_funds"):
            raise PageError(_decline(behaviour))
        if behaviour == "authenticate" and not authenticated:
            store()["pending"][session["id"]] = dict(form)
            return "authenticate"
        trial = options["subscription_data"]["trial_period_days"]
        if behaviour == "fail_later" and not trial:
            raise PageError(_decline(behaviour))
    _finish(session, existing, email, country, form, card)
    return "complete"


def _behaviour(number: str) -> str:
    return TEST_CARDS[number][1]


def _decline(behaviour: str) -> str:
    return DECLINES[behaviour][2]


def _finish(
    session: dict,
    existing: dict | None,
    email: str,
    country: str | None,
    form: dict,
    card: tuple[str, int, int] | None,
) -> None:
    options = _private(session["id"])
    name = form.get("name", "").strip() or None
    where = address(country, form.get("postal_code", "").strip())
    if existing is None:
        cus = customer(email=email, name=name, address=where)
    else:
        cus = existing
        before = dict(cus)
        if options["customer_update"].get("name") == "auto" and name:
            cus["name"] = name
        if options["customer_update"].get("address") == "auto" and where:
            cus["address"] = where
        previous = {k: before[k] for k in ("name", "address") if before[k] != cus[k]}
        if previous:
            emit("customer.updated", cus, previous)
    tax_id = form.get("tax_id", "").strip()
    if session["tax_id_collection"]["enabled"] and tax_id:
        entry = {"type": "eu_vat", "value": tax_id}
        store().setdefault("tax_ids", {}).setdefault(cus["id"], []).append(entry)
    method = None
    if card:
        method = payment_method(*card, cus, name)
        before = dict(cus)
        cus["invoice_settings"] = {
            **cus["invoice_settings"],
            "default_payment_method": method["id"],
        }
        emit("customer.updated", cus, {"invoice_settings": before["invoice_settings"]})
    price_obj, quantity = session_price(session)
    data = options["subscription_data"]
    sub = create_subscription(
        cus,
        price_obj,
        quantity=quantity,
        trial_days=data["trial_period_days"],
        metadata=data["metadata"],
        description=data["description"],
        payment_method=method["id"] if method else None,
        automatic_tax=session["automatic_tax"]["enabled"],
        missing_payment_method=data["missing_payment_method"],
    )
    invoice = need(sub["latest_invoice"], "invoice")
    tax = sum(t["amount"] for t in invoice["total_taxes"] if t["tax_behavior"] == "exclusive")
    store()["pending"].pop(session["id"], None)
    session.update(
        status="complete",
        payment_status="paid" if invoice["amount_paid"] else "no_payment_required",
        customer=cus["id"],
        subscription=sub["id"],
        invoice=invoice["id"],
        url=None,
        amount_subtotal=invoice["subtotal"],
        amount_total=invoice["total"],
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": tax},
        customer_details={
            "address": cus["address"],
            "business_name": None,
            "email": cus["email"],
            "individual_name": None,
            "name": cus["name"],
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": list(store().get("tax_ids", {}).get(cus["id"], [])),
        },
    )
    if session["automatic_tax"]["enabled"]:
        session["automatic_tax"]["status"] = "complete"
    emit("checkout.session.completed", session)


def redirect_target(session: dict) -> str:
    """success_url with the literal {CHECKOUT_SESSION_ID} replaced by the session id
    (docs.stripe.com/payments/checkout/custom-success-page)."""
    url = session["success_url"] or f"{base()}/stripe/pay/{session['id']}/done"
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"])


def estimated_tax(session: dict, country: str | None) -> int:
    price_obj, quantity = session_price(session)
    added, _ = tax_for(price_obj["unit_amount"] * quantity, country, price_obj["tax_behavior"])
    return added


# --- customer portal sessions ----------------------------------------------------------------

_FLOWS = (
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
    "subscription_update_confirm",
)


def _configuration() -> str:
    """The default portal configuration (features all on, cancel at period end, prorations)."""
    data = store()
    if "portal_configuration" not in data:
        data["portal_configuration"] = new_id("bpc")
    return data["portal_configuration"]


def _flow(payload: dict, cus: dict) -> dict | None:
    """flow_data (docs.stripe.com/customer-management/portal-deep-links): one task, then
    back to the portal, a confirmation, or a redirect."""
    flow = payload.get("flow_data")
    if flow is None:
        return None
    if not isinstance(flow, dict):
        raise StripeError("Invalid object: flow_data", param="flow_data")
    kind = choice(flow, "type", _FLOWS)
    if kind is None:
        raise StripeError("Missing required param: flow_data[type].", param="flow_data[type]")
    result: dict = {
        "after_completion": {
            "hosted_confirmation": None,
            "redirect": None,
            "type": "portal_homepage",
        },
        "coupon": None,
        "subscription_cancel": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
        "type": kind,
    }
    after = flow.get("after_completion") or {}
    after_type = choice(after, "type", ("hosted_confirmation", "portal_homepage", "redirect"))
    if after_type == "redirect":
        target = (after.get("redirect") or {}).get("return_url")
        _absolute({"return_url": target}, "return_url")
        if not target:
            raise StripeError(
                "Missing required param: flow_data[after_completion][redirect][return_url].",
                param="flow_data[after_completion][redirect][return_url]",
            )
        result["after_completion"] = {
            "hosted_confirmation": None,
            "redirect": {"return_url": target},
            "type": "redirect",
        }
    elif after_type == "hosted_confirmation":
        message = (after.get("hosted_confirmation") or {}).get("custom_message")
        result["after_completion"] = {
            "hosted_confirmation": {"custom_message": message},
            "redirect": None,
            "type": "hosted_confirmation",
        }
    if kind != "payment_method_update":
        details = flow.get(kind) or {}
        param = f"flow_data[{kind}][subscription]"
        sub = need(details.get("subscription"), "subscription", param)
        if sub["customer"] != cus["id"] or sub["status"] in ("canceled", "incomplete_expired"):
            raise StripeError(
                "The subscription must be a live subscription of this customer.", param=param
            )
        entry: dict = {"subscription": sub["id"]}
        if kind == "subscription_cancel":
            entry["retention"] = None
        if kind == "subscription_update_confirm":
            items = details.get("items")
            if not isinstance(items, list) or len(items) != 1:
                raise StripeError(
                    "Pass one item: flow_data[subscription_update_confirm][items][0][id|price].",
                    param="flow_data[subscription_update_confirm][items]",
                )
            need(
                items[0].get("price"),
                "price",
                "flow_data[subscription_update_confirm][items][0][price]",
            )
            if items[0].get("id") != item_of(sub)["id"]:
                raise StripeError(
                    "items[0][id] must be the subscription's item.",
                    param="flow_data[subscription_update_confirm][items][0][id]",
                )
            entry.update(
                discounts=[],
                items=[{"id": items[0]["id"], "price": items[0]["price"], "quantity": 1}],
            )
        result[kind] = entry
    return result


@endpoint(
    "POST",
    "billing_portal/sessions",
    "billing_portal.sessions.create",
    "customer return_url flow_data configuration locale on_behalf_of",
)
def create_portal_session(req: Request, payload: dict) -> dict:
    cus = live_customer(text(payload, "customer", required=True))
    session_id = new_id("bps")
    return put(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": text(payload, "configuration") or _configuration(),
            "created": now(),
            "customer": cus["id"],
            "flow": _flow(payload, cus),
            "livemode": False,
            "locale": text(payload, "locale"),
            "on_behalf_of": None,
            "return_url": _absolute(payload, "return_url"),
            "url": f"{base()}/stripe/portal/{session_id}",
        }
    )


def replace_card(cus: dict, form: dict, *, authenticated: bool) -> tuple[str, dict | None]:
    """The portal's or hosted invoice page's new card: ("saved" | "authenticate", the payment
    method). Raises PageError for a bad or declined card."""
    try:
        number, month, year = read_card(form)
    except ValueError as error:
        raise PageError(str(error)) from None
    behaviour = _behaviour(number)
    if behaviour in ("decline", "insufficient_funds"):
        raise PageError(_decline(behaviour))
    if behaviour == "authenticate" and not authenticated:
        return "authenticate", None
    method = payment_method(number, month, year, cus, form.get("name") or None)
    store()["card_outcome"].pop(cus["id"], None)
    before = dict(cus)
    cus["invoice_settings"] = {**cus["invoice_settings"], "default_payment_method": method["id"]}
    emit("customer.updated", cus, {"invoice_settings": before["invoice_settings"]})
    for sub in all_of("subscription"):
        if sub["customer"] == cus["id"] and sub["status"] not in ("canceled", "incomplete_expired"):
            update_subscription(sub, lambda s: s.update(default_payment_method=method["id"]))
    return "saved", method


def pay_open_invoices(cus: dict, *, authenticated: bool) -> list[str]:
    """After a card update, retry the customer's open subscription invoices at once; the
    outcomes."""
    owed = [
        invoice
        for invoice in reversed(all_of("invoice"))
        if invoice["customer"] == cus["id"] and invoice["status"] == "open"
    ]
    return [attempt(invoice, authenticated=authenticated) for invoice in owed]
