"""Stripe's plumbing in the emulator: the object store, ids, the Stripe clock, errors, form
decoding with nested keys, lists, `expand` and events.

Everything lives in `STATE.table("stripe")`, so `/_control/reset` wipes it; objects are kept in
the exact API shape (API version 2026-10-28.endive, checked against stripe-python 16.1.0's
type stubs) and events are snapshots taken when they happen.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

from emulator.server import Request
from emulator.state import STATE

# stripe-python 16.1.0 pins this (stripe/_api_version.py); events carry it.
API_VERSION = "2026-10-28.endive"
HOUR = 3_600
DAY = 86_400
_ALPHABET = string.ascii_letters + string.digits


class StripeError(Exception):
    """An API error: answered with Stripe's envelope {"error": {type, message, param?, code?}}
    (docs.stripe.com/api/errors), the HTTP status picking the SDK's exception class."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
        **extra: object,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"type": kind, "message": message}
        if param:
            self.body["param"] = param
        if code:
            self.body["code"] = code
        self.body.update(extra)


def missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    # Stripe's 404: "No such customer: 'cus_x'", code resource_missing
    # (docs.stripe.com/error-codes#resource-missing).
    return StripeError(
        f"No such {kind}: '{object_id}'", status=404, param=param, code="resource_missing"
    )


def store() -> dict:
    """The Stripe world; created on first use after a reset."""
    data = STATE.table("stripe")
    if not data:
        data.update(
            objects={},  # id -> object, in creation order
            events=[],  # event ids, oldest first
            outbox=[],  # event ids not yet delivered
            deliveries=[],
            idempotency={},
            offset=0,  # the Stripe clock's lead over the emulator clock, seconds
            card_outcome={},  # customer id -> forced outcome of its future charges
            pending={},  # checkout session id -> card waiting for 3-D Secure
            proration_items={},  # subscription id -> pending proration lines
            invoice_seq={},
            settings={
                "retry_days": [3, 5, 7],
                "after_retries": "cancel",
                "webhook_timeout": 5.0,
                # Days before a renewal that invoice.upcoming is sent; off until set, as the
                # Dashboard's "Upcoming renewal events" (docs.stripe.com/api/events/types).
                "upcoming_days": None,
                "paused": False,
            },
            base="http://127.0.0.1",
        )
        _seed_endpoint(data)
    return data


def _seed_endpoint(data: dict) -> None:
    """The endpoint named by the process's environment (for `make run`), back after every reset."""
    url = os.environ.get("EMULATOR_STRIPE_WEBHOOK_URL")
    secret = os.environ.get("EMULATOR_STRIPE_WEBHOOK_SECRET")
    if url and secret:
        endpoint = webhook_endpoint(url, secret, ["*"], created=now_from(data))
        data["objects"][endpoint["id"]] = endpoint


def now_from(data: dict) -> int:
    if data.get("pinned") is not None:
        return data["pinned"]
    return int(STATE.now() + data["offset"])


@contextmanager
def frozen() -> Iterator[int]:
    """Hold the Stripe clock still while one request runs, as a test clock is frozen between
    advances: everything the request creates shares one timestamp."""
    data = store()
    outer = data.get("pinned")
    data["pinned"] = moment = now_from(data)
    try:
        yield moment
    finally:
        data["pinned"] = outer


def catch_up(moment: int) -> None:
    """Move the running Stripe clock forward (never back) so that it reads at least `moment`."""
    data = store()
    running = STATE.now() + data["offset"]
    if moment > running:
        data["offset"] += moment - running


def now() -> int:
    """The Stripe clock (a test clock shared by every customer), unix seconds."""
    return now_from(store())


def new_id(prefix: str, length: int = 24) -> str:
    # Random, never sequential: an emulator restart must not hand an old id to someone else.
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def put(obj: dict) -> dict:
    store()["objects"][obj["id"]] = obj
    return obj


def get(object_id: str | None, kind: str | None = None) -> dict | None:
    found = store()["objects"].get(object_id or "")
    if found is None or (kind is not None and found["object"] != kind):
        return None
    return found


def need(object_id: object, kind: str, param: str = "id") -> dict:
    """The object, or the 404 Stripe gives for an unknown id."""
    label = kind.split(".")[-1].replace("_", " ")
    if not isinstance(object_id, str) or not object_id:
        raise StripeError(f"Missing required param: {param}.", param=param)
    found = get(object_id, kind)
    if found is None:
        raise missing(label, object_id, param)
    return found


def all_of(kind: str) -> list[dict]:
    """Every object of a kind, newest first (Stripe's list order)."""
    return [obj for obj in reversed(store()["objects"].values()) if obj["object"] == kind]


def remember_base(req: Request) -> None:
    """Pages and invoice URLs point at the emulator as the caller reached it."""
    store()["base"] = req.base_url


def base() -> str:
    return store()["base"]


# --- form bodies -----------------------------------------------------------------------


def decode(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding with nested keys: `line_items[0][price]=p` ->
    {"line_items": [{"price": "p"}]}; `a[]=x&a[]=y` -> {"a": ["x", "y"]}."""
    root: dict = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head, *re.findall(r"\[([^\]]*)\]", "[" + rest)] if rest else [head]
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # `a[]`: append
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise StripeError(f"Invalid parameter: {key}", param=key)
    return _lists(root)


def _lists(node: object) -> object:
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def params(req: Request) -> dict:
    """The request's parameters: the form body of a POST, the query string otherwise."""
    if req.method == "POST":
        if req.json is not None or (req.body and "json" in req.headers.get("content-type", "")):
            raise StripeError(
                "Invalid request: Stripe's API takes application/x-www-form-urlencoded bodies."
            )
        raw = req.body.decode(errors="replace")
    else:
        raw = req.raw_query
    return decode(parse_qsl(raw, keep_blank_values=True))


def text(payload: dict, name: str, *, required: bool = False, default: str | None = None):
    value = payload.get(name, default)
    if value is None or value == "":
        if required:
            raise StripeError(f"Missing required param: {name}.", param=name)
        return default
    if not isinstance(value, str):
        raise StripeError(f"Invalid string: {name}", param=name)
    return value


def integer(payload: dict, name: str, *, minimum: int = 0, maximum: int | None = None):
    value = payload.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise StripeError(f"Invalid integer: {value}", param=name)
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise StripeError(f"Invalid {name}: must be {bound}", param=name)
    return number


def boolean(payload: dict, name: str, default: bool | None = None) -> bool | None:
    value = payload.get(name)
    if value is None or value == "":
        return default
    if value not in ("true", "false"):
        raise StripeError(f"Invalid boolean: {value}", param=name)
    return value == "true"


def choice(payload: dict, name: str, options: tuple[str, ...], default: str | None = None):
    value = payload.get(name, default)
    if value is None or value == "":
        return default
    if value not in options:
        raise StripeError(f"Invalid {name}: must be one of {', '.join(options)}", param=name)
    return value


def metadata(payload: dict, current: dict | None = None, name: str = "metadata") -> dict:
    """Metadata update rules (docs.stripe.com/api/metadata): keys merge, an empty value unsets
    a key, `metadata=""` unsets all; at most 50 keys, keys <= 40 and values <= 500 characters."""
    result = dict(current or {})
    value = payload.get(name)
    if value is None:
        return result
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeError(f"Invalid object: {name}", param=name)
    for key, item in value.items():
        if not isinstance(item, str):
            raise StripeError(f"Invalid string: {name}[{key}]", param=f"{name}[{key}]")
        if len(key) > 40 or len(item) > 500:
            raise StripeError(
                "Metadata keys are at most 40 and values at most 500 characters.",
                param=f"{name}[{key}]",
            )
        if item == "":
            result.pop(key, None)
        else:
            result[key] = item
    if len(result) > 50:
        raise StripeError("Metadata can have at most 50 keys.", param=name)
    return result


# --- lists and expand ------------------------------------------------------------------


def page(objects: list[dict], payload: dict, url: str) -> dict:
    """A list object (docs.stripe.com/api/pagination): `limit` 1-100 (default 10),
    `starting_after` / `ending_before` cursors, newest first."""
    limit = integer(payload, "limit", minimum=1, maximum=100) or 10
    after, before = payload.get("starting_after"), payload.get("ending_before")
    ids = [obj["id"] for obj in objects]
    if after:
        if after not in ids:
            raise missing("object", after, "starting_after")
        objects = objects[ids.index(after) + 1 :]
        chosen = objects[:limit]
    elif before:
        if before not in ids:
            raise missing("object", before, "ending_before")
        objects = objects[: ids.index(before)]
        chosen = objects[-limit:]
    else:
        chosen = objects[:limit]
    return {
        "object": "list",
        "data": chosen,
        "has_more": len(objects) > len(chosen),
        "url": url,
    }


def list_of(items: list[dict], url: str) -> dict:
    """An embedded list (subscription items, invoice lines) holding everything."""
    return {
        "object": "list",
        "data": items,
        "has_more": False,
        "total_count": len(items),
        "url": url,
    }


def expand(obj: dict, payload: dict) -> dict:
    """Apply `expand[]` (docs.stripe.com/api/expanding_objects): each dotted path replaces an id
    by its object; `data.` walks a list's items; at most 4 levels deep."""
    paths = payload.get("expand") or []
    if isinstance(paths, str):
        paths = [paths]
    result = copy.deepcopy(obj)
    for path in paths:
        parts = path.split(".")
        if len(parts) > 4:
            raise StripeError(
                f"You cannot expand more than 4 levels of a property. Property: {path}",
                param="expand",
            )
        _expand(result, parts, path)
    return result


def _expand(node: object, parts: list[str], path: str) -> None:
    if not parts:
        return
    if isinstance(node, dict) and node.get("object") == "list" and parts[0] == "data":
        for item in node["data"]:
            _expand(item, parts[1:], path)
        return
    if not isinstance(node, dict) or parts[0] not in node and parts[0] not in _VIRTUAL:
        raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
    key = parts[0]
    value = node.get(key)
    if key in _VIRTUAL and node.get("object") in _VIRTUAL[key]:
        value = _VIRTUAL[key][node["object"]](node)
    elif isinstance(value, str):
        found = get(value)
        if found is None:
            raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
        value = copy.deepcopy(found)
    elif value is not None and not isinstance(value, dict) and len(parts) == 1:
        raise StripeError(f"This property cannot be expanded ({path}).", param="expand")
    node[key] = value
    _expand(value, parts[1:], path)


# Includable fields that are not ids: object kind -> how to build them.
_VIRTUAL: dict[str, dict] = {}


def virtual(field: str, kind: str):
    def register(builder):
        _VIRTUAL.setdefault(field, {})[kind] = builder
        return builder

    return register


# --- events ----------------------------------------------------------------------------


def emit(event_type: str, obj: dict, previous: dict | None = None) -> dict:
    """Record an event with a snapshot of the object (docs.stripe.com/api/events/object) and
    queue its webhook deliveries."""
    data = store()
    body: dict = {"object": copy.deepcopy(obj)}
    if previous:
        body["previous_attributes"] = copy.deepcopy(previous)
    event = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now_from(data),
        "data": body,
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    data["objects"][event["id"]] = event
    data["events"].append(event["id"])
    data["outbox"].append(event["id"])
    return event


def changes(before: dict, after: dict) -> dict:
    """`previous_attributes`: the old values of the top-level fields that changed (nested
    objects whole, as Stripe does)."""
    return {key: before.get(key) for key in after if before.get(key) != after.get(key)}


def webhook_endpoint(url: str, secret: str, events: list[str], *, created: int) -> dict:
    return {
        "id": new_id("we"),
        "object": "webhook_endpoint",
        "api_version": None,
        "application": None,
        "created": created,
        "description": None,
        "enabled_events": events,
        "livemode": False,
        "metadata": {},
        "secret": secret,
        "status": "enabled",
        "url": url,
    }


def money(amount: int, currency: str) -> str:
    """ "€29.00", "$290.00" for pages and line descriptions."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency, currency.upper() + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount) / 100:,.2f}"
