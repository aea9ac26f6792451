"""Emulated Stripe API: products, prices, customers, payment methods, events and webhook
endpoints (docs.stripe.com/api, API version 2026-10-28.endive)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from emulator.server import Request
from emulator.stripe_billing import cancel
from emulator.stripe_core import (
    StripeError,
    all_of,
    boolean,
    choice,
    emit,
    integer,
    metadata,
    missing,
    need,
    new_id,
    now,
    page,
    put,
    store,
    text,
    webhook_endpoint,
)
from emulator.stripe_http import endpoint
from emulator.stripe_objects import (
    INTERVALS,
    claim_lookup_key,
    customer,
    price,
    product,
    refresh_price,
)

_ID = r"(?P<id>[A-Za-z0-9_]+)"

# --- products (docs.stripe.com/api/products) ---------------------------------------------


@endpoint("POST", "products", "products.create", "name id description metadata active")
def create_product(req: Request, payload: dict) -> dict:
    made = product(
        text(payload, "name", required=True),
        product_id=text(payload, "id"),
        description=text(payload, "description"),
        metadata=metadata(payload),
        active=boolean(payload, "active", True),
    )
    emit("product.created", made)
    return made


@endpoint("GET", "products", "products.list", "active limit starting_after ending_before ids")
def list_products(req: Request, payload: dict) -> dict:
    active = boolean(payload, "active")
    ids = payload.get("ids")
    found = [
        p
        for p in all_of("product")
        if active in (None, p["active"]) and (not ids or p["id"] in ids)
    ]
    return page(found, payload, "/v1/products")


@endpoint("GET", f"products/{_ID}", "products.retrieve")
def retrieve_product(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "product")


@endpoint("POST", f"products/{_ID}", "products.update", "name description metadata active")
def update_product(req: Request, payload: dict) -> dict:
    found = need(req.params["id"], "product")
    found["name"] = text(payload, "name", default=found["name"])
    found["description"] = text(payload, "description", default=found["description"])
    found["active"] = boolean(payload, "active", found["active"])
    found["metadata"] = metadata(payload, found["metadata"])
    found["updated"] = now()
    emit("product.updated", found)
    return found


# --- prices (docs.stripe.com/api/prices) ---------------------------------------------------

_PRICE_CREATE = (
    "product product_data currency unit_amount recurring lookup_key transfer_lookup_key "
    "nickname metadata tax_behavior active"
)


@endpoint("POST", "prices", "prices.create", _PRICE_CREATE)
def create_price(req: Request, payload: dict) -> dict:
    product_id = text(payload, "product")
    product_data = payload.get("product_data")
    if bool(product_id) == bool(product_data):
        raise StripeError("You must specify either `product` or `product_data`.", param="product")
    if product_id:
        need(product_id, "product", "product")
    else:
        if not isinstance(product_data, dict):
            raise StripeError("Invalid object: product_data", param="product_data")
        made = product(text(product_data, "name", required=True), metadata=metadata(product_data))
        product_id = made["id"]
    currency = text(payload, "currency", required=True).lower()
    unit_amount = integer(payload, "unit_amount")
    if unit_amount is None:
        raise StripeError("Missing required param: unit_amount.", param="unit_amount")
    recurring = payload.get("recurring")
    interval, count = None, 1
    if recurring is not None:
        if not isinstance(recurring, dict):
            raise StripeError("Invalid object: recurring", param="recurring")
        interval = choice(recurring, "interval", INTERVALS)
        if interval is None:
            raise StripeError(
                "Missing required param: recurring[interval].", param="recurring[interval]"
            )
        count = integer(recurring, "interval_count", minimum=1, maximum=36) or 1
    made = price(
        product_id,
        unit_amount=unit_amount,
        currency=currency,
        interval=interval,
        interval_count=count,
        lookup_key=text(payload, "lookup_key"),
        transfer_lookup_key=boolean(payload, "transfer_lookup_key", False),
        nickname=text(payload, "nickname"),
        metadata=metadata(payload),
        tax_behavior=choice(
            payload, "tax_behavior", ("inclusive", "exclusive", "unspecified"), "unspecified"
        ),
    )
    made["active"] = boolean(payload, "active", True)
    emit("price.created", made)
    return made


@endpoint(
    "GET",
    "prices",
    "prices.list",
    "active currency product type lookup_keys recurring limit starting_after ending_before",
)
def list_prices(req: Request, payload: dict) -> dict:
    active = boolean(payload, "active")
    kind = choice(payload, "type", ("one_time", "recurring"))
    keys = payload.get("lookup_keys")
    if keys is not None and (not isinstance(keys, list) or len(keys) > 10):
        raise StripeError("lookup_keys takes up to 10 keys.", param="lookup_keys")
    interval = (payload.get("recurring") or {}).get("interval")
    found = [
        p
        for p in all_of("price")
        if active in (None, p["active"])
        and kind in (None, p["type"])
        and payload.get("currency") in (None, p["currency"])
        and payload.get("product") in (None, p["product"])
        and (keys is None or p["lookup_key"] in keys)
        and (interval is None or (p["recurring"] or {}).get("interval") == interval)
    ]
    return page(found, payload, "/v1/prices")


@endpoint("GET", f"prices/{_ID}", "prices.retrieve")
def retrieve_price(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "price")


@endpoint(
    "POST",
    f"prices/{_ID}",
    "prices.update",
    "active metadata nickname lookup_key transfer_lookup_key tax_behavior",
)
def update_price(req: Request, payload: dict) -> dict:
    found = need(req.params["id"], "price")
    if "lookup_key" in payload and payload["lookup_key"] != found["lookup_key"]:
        key = text(payload, "lookup_key")
        claim_lookup_key(key, boolean(payload, "transfer_lookup_key", False))
        found["lookup_key"] = key
    found["active"] = boolean(payload, "active", found["active"])
    found["nickname"] = text(payload, "nickname", default=found["nickname"])
    found["metadata"] = metadata(payload, found["metadata"])
    found["tax_behavior"] = choice(
        payload, "tax_behavior", ("inclusive", "exclusive", "unspecified"), found["tax_behavior"]
    )
    refresh_price(found)
    emit("price.updated", found)
    return found


# --- customers (docs.stripe.com/api/customers) ---------------------------------------------

_CUSTOMER_FIELDS = "email name metadata description phone address invoice_settings"


def live_customer(customer_id: object, param: str = "customer") -> dict:
    found = need(customer_id, "customer", param)
    if found.get("deleted"):
        raise missing("customer", str(customer_id), param)
    return found


def _address(payload: dict) -> dict | None:
    value = payload.get("address")
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise StripeError("Invalid object: address", param="address")
    fields = ("city", "country", "line1", "line2", "postal_code", "state")
    return {name: value.get(name) or None for name in fields}


def _default_payment_method(payload: dict, cus_id: str) -> str | None:
    settings = payload.get("invoice_settings") or {}
    if not isinstance(settings, dict):
        raise StripeError("Invalid object: invoice_settings", param="invoice_settings")
    pm_id = settings.get("default_payment_method")
    if pm_id:
        method = need(pm_id, "payment_method", "invoice_settings[default_payment_method]")
        if method["customer"] != cus_id:
            raise StripeError(
                "The payment method must be attached to this customer.",
                param="invoice_settings[default_payment_method]",
            )
    return pm_id


@endpoint("POST", "customers", "customers.create", _CUSTOMER_FIELDS)
def create_customer(req: Request, payload: dict) -> dict:
    if (payload.get("invoice_settings") or {}).get("default_payment_method"):
        raise StripeError(
            "A new customer has no payment methods yet.",
            param="invoice_settings[default_payment_method]",
        )
    return customer(
        email=text(payload, "email"),
        name=text(payload, "name"),
        metadata=metadata(payload),
        description=text(payload, "description"),
        phone=text(payload, "phone"),
        address=_address(payload),
    )


@endpoint("GET", "customers", "customers.list", "email limit starting_after ending_before")
def list_customers(req: Request, payload: dict) -> dict:
    email = payload.get("email")
    found = [c for c in all_of("customer") if not c.get("deleted") and email in (None, c["email"])]
    return page(found, payload, "/v1/customers")


_CLAUSE = re.compile(
    r"(?:metadata\['(?P<key>[^']+)'\]|(?P<field>email|name|phone)):'(?P<value>[^']*)'"
)


@endpoint("GET", "customers/search", "customers.search", "query limit page")
def search_customers(req: Request, payload: dict) -> dict:
    """Search (docs.stripe.com/search#search-query-language): clauses `email:'…'`,
    `name:'…'`, `phone:'…'`, `metadata['key']:'…'` joined by AND."""
    query = text(payload, "query", required=True)
    clauses = []
    for part in query.split(" AND "):
        match = _CLAUSE.fullmatch(part.strip())
        if match is None:
            raise StripeError(
                f"The emulator's search understands email/name/phone/metadata['key'] "
                f"clauses joined by AND; got {part!r}.",
                param="query",
            )
        clauses.append(match)

    def matches(cus: dict) -> bool:
        for clause in clauses:
            if clause["key"] is not None:
                if cus["metadata"].get(clause["key"]) != clause["value"]:
                    return False
            elif cus.get(clause["field"]) != clause["value"]:
                return False
        return True

    limit = integer(payload, "limit", minimum=1, maximum=100) or 10
    found = [c for c in all_of("customer") if not c.get("deleted") and matches(c)]
    return {
        "object": "search_result",
        "data": found[:limit],
        "has_more": len(found) > limit,
        "next_page": None,
        "url": "/v1/customers/search",
    }


@endpoint("GET", f"customers/{_ID}", "customers.retrieve")
def retrieve_customer(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "customer")


@endpoint("POST", f"customers/{_ID}", "customers.update", _CUSTOMER_FIELDS)
def update_customer(req: Request, payload: dict) -> dict:
    found = live_customer(req.params["id"], "id")
    before = dict(found)
    for name in ("email", "name", "description", "phone"):
        if name in payload:
            found[name] = text(payload, name)
    if "address" in payload:
        found["address"] = _address(payload)
    if "invoice_settings" in payload:
        pm_id = _default_payment_method(payload, found["id"])
        found["invoice_settings"] = {**found["invoice_settings"], "default_payment_method": pm_id}
    found["metadata"] = metadata(payload, found["metadata"])
    previous = {k: before[k] for k in found if before.get(k) != found[k]}
    if previous:
        emit("customer.updated", found, previous)
    return found


@endpoint("DELETE", f"customers/{_ID}", "customers.delete")
def delete_customer(req: Request, payload: dict) -> dict:
    """Deleting a customer cancels its subscriptions at once (docs.stripe.com/api/customers/
    delete)."""
    found = live_customer(req.params["id"], "id")
    for sub in all_of("subscription"):
        if sub["customer"] == found["id"] and sub["status"] not in (
            "canceled",
            "incomplete_expired",
        ):
            cancel(sub)
    emit("customer.deleted", found)
    tombstone = {"id": found["id"], "object": "customer", "deleted": True}
    put(tombstone)
    return tombstone


# --- payment methods (docs.stripe.com/api/payment_methods) ---------------------------------


@endpoint("GET", f"payment_methods/{_ID}", "payment_methods.retrieve")
def retrieve_payment_method(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "payment_method")


@endpoint(
    "GET",
    f"customers/{_ID}/payment_methods",
    "customers.payment_methods",
    "type limit starting_after ending_before",
)
def customer_payment_methods(req: Request, payload: dict) -> dict:
    cus = live_customer(req.params["id"], "customer")
    found = [pm for pm in all_of("payment_method") if pm["customer"] == cus["id"]]
    return page(found, payload, f"/v1/customers/{cus['id']}/payment_methods")


# --- events (docs.stripe.com/api/events) -----------------------------------------------------


def _created_filter(payload: dict) -> list:
    created = payload.get("created")
    if created is None:
        return []
    if isinstance(created, str):
        created = {"eq": created}
    if not isinstance(created, dict):
        raise StripeError("Invalid created filter", param="created")
    tests = []
    for op, value in created.items():
        if op not in ("gt", "gte", "lt", "lte", "eq") or not str(value).isdigit():
            raise StripeError(f"Invalid created[{op}]", param=f"created[{op}]")
        tests.append((op, int(value)))
    return tests


def _compare(value: int, op: str, bound: int) -> bool:
    return {
        "gt": value > bound,
        "gte": value >= bound,
        "lt": value < bound,
        "lte": value <= bound,
        "eq": value == bound,
    }[op]


@endpoint(
    "GET",
    "events",
    "events.list",
    "type types created delivery_success limit starting_after ending_before",
)
def list_events(req: Request, payload: dict) -> dict:
    """Newest first; `type` may end in `*` (e.g. `invoice.*`); `types` takes up to 20 names."""
    wanted = payload.get("type")
    types = payload.get("types")
    tests = _created_filter(payload)

    def keep(event: dict) -> bool:
        if wanted and not (
            event["type"] == wanted
            or (wanted.endswith("*") and event["type"].startswith(wanted[:-1]))
        ):
            return False
        if types and event["type"] not in types:
            return False
        return all(_compare(event["created"], op, bound) for op, bound in tests)

    return page([e for e in all_of("event") if keep(e)], payload, "/v1/events")


@endpoint("GET", f"events/{_ID}", "events.retrieve")
def retrieve_event(req: Request, payload: dict) -> dict:
    return need(req.params["id"], "event")


# --- webhook endpoints (docs.stripe.com/api/webhook_endpoints) -------------------------------


def _url(value: str | None) -> str:
    if not value or urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
        raise StripeError("Invalid URL: must be an absolute http(s) URL.", param="url")
    return value


def _events(payload: dict) -> list[str]:
    events = payload.get("enabled_events")
    if not isinstance(events, list) or not events:
        raise StripeError("Missing required param: enabled_events.", param="enabled_events")
    return events


@endpoint(
    "POST",
    "webhook_endpoints",
    "webhook_endpoints.create",
    "url enabled_events description metadata api_version connect",
)
def create_webhook_endpoint(req: Request, payload: dict) -> dict:
    """The signing secret comes back only here, as on Stripe."""
    made = webhook_endpoint(
        _url(text(payload, "url", required=True)),
        new_id("whsec", 32),
        _events(payload),
        created=now(),
    )
    made["description"] = text(payload, "description")
    made["metadata"] = metadata(payload)
    return put(made)


def _public(found: dict) -> dict:
    return {k: v for k, v in found.items() if k != "secret"}


@endpoint(
    "GET", "webhook_endpoints", "webhook_endpoints.list", "limit starting_after ending_before"
)
def list_webhook_endpoints(req: Request, payload: dict) -> dict:
    listed = page(all_of("webhook_endpoint"), payload, "/v1/webhook_endpoints")
    listed["data"] = [_public(e) for e in listed["data"]]
    return listed


@endpoint("GET", f"webhook_endpoints/{_ID}", "webhook_endpoints.retrieve")
def retrieve_webhook_endpoint(req: Request, payload: dict) -> dict:
    return _public(need(req.params["id"], "webhook_endpoint"))


@endpoint(
    "POST",
    f"webhook_endpoints/{_ID}",
    "webhook_endpoints.update",
    "url enabled_events disabled description metadata",
)
def update_webhook_endpoint(req: Request, payload: dict) -> dict:
    found = need(req.params["id"], "webhook_endpoint")
    if "url" in payload:
        found["url"] = _url(text(payload, "url"))
    if "enabled_events" in payload:
        found["enabled_events"] = _events(payload)
    disabled = boolean(payload, "disabled")
    if disabled is not None:
        found["status"] = "disabled" if disabled else "enabled"
    found["metadata"] = metadata(payload, found["metadata"])
    return _public(found)


@endpoint("DELETE", f"webhook_endpoints/{_ID}", "webhook_endpoints.delete")
def delete_webhook_endpoint(req: Request, payload: dict) -> dict:
    found = need(req.params["id"], "webhook_endpoint")
    del store()["objects"][found["id"]]
    return {"id": found["id"], "object": "webhook_endpoint", "deleted": True}
