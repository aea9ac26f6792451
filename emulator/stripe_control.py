"""The Stripe part of the control API (`/_control/stripe/…`, JSON): the stand-ins for
Dashboard settings (webhook endpoints, retry rules), the test clock, card outcomes, catalogue
seeding, webhook inspection and replay, faults."""

from __future__ import annotations

from urllib.parse import urlsplit

from emulator.server import Handler, Request, Response, Service, fault_endpoints, json_response
from emulator.state import FAULT_KINDS, STATE, Fault
from emulator.stripe_checkout import PageError, complete
from emulator.stripe_clock import advance_to, settle
from emulator.stripe_core import (
    StripeError,
    all_of,
    frozen,
    get,
    now,
    put,
    remember_base,
    store,
    webhook_endpoint,
)
from emulator.stripe_objects import INTERVALS, OUTCOME_CARDS, price, product
from emulator.stripe_webhooks import flush, replay

service = Service(None)
_ID = r"(?P<id>[A-Za-z0-9_]+)"


class _BadRequest(Exception):
    pass


def _payload(req: Request) -> dict:
    return req.json if isinstance(req.json, dict) else {}


def _control(handler: Handler) -> Handler:
    """A malformed request answers 400 {"error"}; afterwards what fell due runs and the
    webhooks go out."""

    def wrapped(req: Request) -> Response:
        remember_base(req)
        with frozen():
            try:
                response = handler(req)
            except (_BadRequest, StripeError, ValueError) as error:
                response = json_response({"error": str(error)}, 400)
            settle()
        flush()
        return response

    return wrapped


def _number(payload: dict, name: str) -> float | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _BadRequest(f"{name} must be a number >= 0")
    return value


@service.route("POST", r"/_control/stripe/advance")
@_control
def advance(req: Request) -> Response:
    """Move the Stripe clock forward: {"seconds": N} | {"days": N} | {"to": unix}."""
    payload = _payload(req)
    seconds, days, target = (_number(payload, n) for n in ("seconds", "days", "to"))
    if sum(v is not None for v in (seconds, days, target)) != 1:
        raise _BadRequest('give one of "seconds", "days" or "to"')
    if target is None:
        target = now() + (seconds if seconds is not None else days * 86_400)
    if target < now():
        raise _BadRequest("the clock only moves forward")
    events = advance_to(int(target))
    return json_response({"now": int(target), "events": events})


@service.route("GET", r"/_control/stripe/clock")
@_control
def clock(req: Request) -> Response:
    return json_response({"now": now(), "offset": store()["offset"]})


@service.route("POST", rf"/_control/stripe/customers/{_ID}/card")
@_control
def card_outcome(req: Request) -> Response:
    """Make the customer's future charges succeed, fail or need 3-D Secure (until the card is
    replaced on a page)."""
    cus = get(req.params["id"], "customer")
    if cus is None or cus.get("deleted"):
        raise _BadRequest(f"no customer {req.params['id']}")
    outcome = _payload(req).get("outcome")
    if outcome not in OUTCOME_CARDS:
        raise _BadRequest(f"outcome must be one of {', '.join(OUTCOME_CARDS)}")
    store()["card_outcome"][cus["id"]] = outcome
    return json_response({"customer": cus["id"], "outcome": outcome})


@service.route("POST", r"/_control/stripe/settings")
@_control
def settings(req: Request) -> Response:
    payload = _payload(req)
    current = store()["settings"]
    for name, value in payload.items():
        if name == "retry_days":
            ok = isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
            )
            if not ok or value != sorted(value):
                raise _BadRequest("retry_days must be increasing whole days > 0")
        elif name == "after_retries":
            if value not in ("cancel", "unpaid"):
                raise _BadRequest("after_retries must be cancel or unpaid")
        elif name == "webhook_timeout":
            if _number(payload, name) in (None, 0):
                raise _BadRequest("webhook_timeout must be a number > 0")
        elif name == "upcoming_days":
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 45
            ):
                raise _BadRequest("upcoming_days must be null or whole days from 1 to 45")
        else:
            raise _BadRequest(
                f"{name} is not a setting: retry_days, after_retries, webhook_timeout, "
                "upcoming_days"
            )
        current[name] = value
    return json_response({k: v for k, v in current.items() if k != "paused"})


@service.route("POST", r"/_control/stripe/webhook_endpoints")
@_control
def add_webhook_endpoint(req: Request) -> Response:
    """The Dashboard's "Add endpoint", with the signing secret the app is configured with."""
    payload = _payload(req)
    url, secret = payload.get("url"), payload.get("secret")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise _BadRequest("url must be an http(s) URL")
    if not isinstance(secret, str) or not secret:
        raise _BadRequest("secret is required (whsec_…)")
    events = payload.get("enabled_events", ["*"])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events) or not events:
        raise _BadRequest('enabled_events must be a list of event types (or ["*"])')
    endpoint = put(webhook_endpoint(url, secret, events, created=now()))
    return json_response(endpoint, 201)


@service.route("GET", r"/_control/stripe/webhook_endpoints")
@_control
def webhook_endpoints(req: Request) -> Response:
    return json_response(all_of("webhook_endpoint"))


@service.route("POST", r"/_control/stripe/webhooks")
@_control
def pause_webhooks(req: Request) -> Response:
    """{"paused": true} holds deliveries back (replay sends them); false sends what waits."""
    paused = _payload(req).get("paused")
    if not isinstance(paused, bool):
        raise _BadRequest("paused must be true or false")
    store()["settings"]["paused"] = paused
    return json_response({"paused": paused, "waiting": len(store()["outbox"])})


@service.route("GET", r"/_control/stripe/deliveries")
@_control
def deliveries(req: Request) -> Response:
    wanted_type, wanted_event = req.query.get("type"), req.query.get("event")
    return json_response(
        [
            d
            for d in store()["deliveries"]
            if wanted_type in (None, d["type"]) and wanted_event in (None, d["event"])
        ]
    )


@service.route("POST", r"/_control/stripe/replay")
@_control
def replay_events(req: Request) -> Response:
    payload = _payload(req)
    order = payload.get("order", "forward")
    if order not in ("forward", "reverse", "duplicate"):
        raise _BadRequest("order must be forward, reverse or duplicate")
    events, types = payload.get("events"), payload.get("types")
    for name, value in (("events", events), ("types", types)):
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise _BadRequest(f"{name} must be a list of strings")
    return json_response(replay(order, events, types))


@service.route("POST", r"/_control/stripe/prices")
@_control
def seed_price(req: Request) -> Response:
    """A product and a price in one call, optionally with fixed ids (for settings files)."""
    payload = _payload(req)
    spec = payload.get("product")
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise _BadRequest('product must be a name or {"name", "id"?, "metadata"?}')
    found = get(spec.get("id"), "product") if spec.get("id") else None
    if found is None:
        found = product(
            str(spec.get("name") or ""), product_id=spec.get("id"), metadata=spec.get("metadata")
        )
    amount = payload.get("unit_amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise _BadRequest("unit_amount must be a whole number of cents >= 0")
    interval = payload.get("interval", "month")
    if interval is not None and interval not in INTERVALS:
        raise _BadRequest(f"interval must be one of {', '.join(INTERVALS)} or null")
    made = price(
        found["id"],
        unit_amount=amount,
        currency=str(payload.get("currency", "usd")).lower(),
        interval=interval,
        lookup_key=payload.get("lookup_key"),
        transfer_lookup_key=bool(payload.get("transfer_lookup_key")),
        nickname=payload.get("nickname"),
        metadata=payload.get("metadata"),
        tax_behavior=payload.get("tax_behavior", "unspecified"),
        price_id=payload.get("id"),
    )
    return json_response(made, 201)


@service.route("POST", rf"/_control/stripe/checkout/{_ID}/complete")
@_control
def complete_checkout(req: Request) -> Response:
    """Complete a session as the hosted page would (3-D Secure passed when asked)."""
    session = get(req.params["id"], "checkout.session")
    if session is None:
        raise _BadRequest(f"no checkout session {req.params['id']}")
    payload = _payload(req)
    form = {
        "card_number": str(payload.get("card", "4242424242424242")),
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "email": str(payload.get("email", "customer@example.test")),
        "name": str(payload.get("name", "")),
        "country": str(payload.get("country", "")),
        "tax_id": str(payload.get("tax_id", "")),
    }
    try:
        complete(session, form, authenticated=True)
    except PageError as error:
        return json_response({"error": str(error), "session": session}, 402)
    return json_response(session)


@service.route("POST", r"/_control/stripe/faults")
@_control
def add_fault(req: Request) -> Response:
    """Queue an error for a Stripe API endpoint (names as in the request log, e.g.
    `stripe.subscriptions.retrieve`)."""
    payload = _payload(req)
    endpoint = payload.get("endpoint")
    names = [name for name, owner in fault_endpoints().items() if owner == "stripe"]
    if endpoint not in names:
        raise _BadRequest(f"endpoint must be one of {', '.join(sorted(names))}")
    if payload.get("kind") not in FAULT_KINDS:
        raise _BadRequest(f"kind must be one of {', '.join(FAULT_KINDS)}")
    count = payload.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise _BadRequest("count must be a whole number >= 1")
    fault = Fault("stripe", endpoint, payload["kind"], count, delay=_number(payload, "delay") or 1)
    STATE.add_fault(fault)
    return json_response(fault.to_json(), 201)
