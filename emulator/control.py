"""The control API (`/_control/…`) tests and developers drive the emulator with, and the
avatar pictures the emulated profiles point at."""

from __future__ import annotations

import hashlib
from html import escape

from emulator import server
from emulator.posts import BEHAVIOUR
from emulator.server import Handler, Request, Response, Service, json_response
from emulator.state import FAULT_KINDS, PLATFORMS, STATE, Fault

service = Service(None)


class _BadRequest(Exception):
    pass


def _payload(req: Request) -> dict:
    return req.json if isinstance(req.json, dict) else {}


def _platform(payload: dict) -> str:
    platform = payload.get("platform")
    if platform not in PLATFORMS:
        raise _BadRequest(f"platform must be one of {', '.join(PLATFORMS)}")
    return platform


def _number(payload: dict, name: str, default: float, *, minimum: float = 0) -> float:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _BadRequest(f"{name} must be a number >= {minimum}")
    return value


def _answer(handler: Handler) -> Handler:
    """Turn a malformed control request into a 400 JSON answer."""

    def wrapped(req: Request) -> Response:
        try:
            return handler(req)
        except (_BadRequest, ValueError) as error:
            return json_response({"error": str(error)}, 400)

    return wrapped


@service.route("GET", r"/_control/health")
def health(req: Request) -> Response:
    return json_response({"ok": True})


@service.route("POST", r"/_control/reset")
def reset(req: Request) -> Response:
    STATE.reset()
    return json_response({"ok": True})


@service.route("POST", r"/_control/users")
@_answer
def create_user(req: Request) -> Response:
    payload = _payload(req)
    user = STATE.create_user(
        _platform(payload),
        payload.get("name"),
        handle=payload.get("handle"),
        pages=payload.get("pages"),
        channel=payload.get("channel"),
    )
    return json_response(user.to_json(), 201)


@service.route("POST", r"/_control/tokens/expire")
@_answer
def expire_tokens(req: Request) -> Response:
    payload = _payload(req)
    if not payload.get("token") and not payload.get("user_id"):
        raise _BadRequest("give a token or a user_id")
    count = STATE.expire(
        _platform(payload), value=payload.get("token"), user_id=payload.get("user_id")
    )
    return json_response({"expired": count})


@service.route("POST", r"/_control/tokens/revoke")
@_answer
def revoke_tokens(req: Request) -> Response:
    payload = _payload(req)
    if not payload.get("user_id"):
        raise _BadRequest("user_id is required")
    return json_response({"revoked": STATE.revoke(_platform(payload), payload["user_id"])})


@service.route("POST", r"/_control/faults")
@_answer
def add_fault(req: Request) -> Response:
    payload = _payload(req)
    platform = _platform(payload)
    endpoints = server.fault_endpoints()
    endpoint = payload.get("endpoint")
    if endpoints.get(endpoint) != platform:
        names = ", ".join(name for name, owner in endpoints.items() if owner == platform)
        raise _BadRequest(f"endpoint must be one of {names}")
    if payload.get("kind") not in FAULT_KINDS:
        raise _BadRequest(f"kind must be one of {', '.join(FAULT_KINDS)}")
    fault = Fault(
        platform,
        endpoint,
        payload["kind"],
        int(_number(payload, "count", 1, minimum=1)),
        reset_after=_number(payload, "reset_after", 60),
        delay=_number(payload, "delay", 1),
    )
    STATE.add_fault(fault)
    return json_response(fault.to_json(), 201)


@service.route("GET", r"/_control/requests")
def requests_log(req: Request) -> Response:
    platform, endpoint = req.query.get("platform"), req.query.get("endpoint")
    records = [
        record
        for record in STATE.requests
        if platform in (None, record["platform"]) and endpoint in (None, record["endpoint"])
    ]
    return json_response(records)


@service.route("GET", r"/_control/posts")
def posts(req: Request) -> Response:
    """Every post, oldest first; `platform` matches the emulator platform or the network."""
    platform, account = req.query.get("platform"), req.query.get("account_id")
    return json_response(
        [
            post.to_json()
            for post in STATE.posts
            if platform in (None, post.platform, post.network)
            and account in (None, post.account_id)
        ]
    )


@service.route("GET", r"/_control/behaviour")
def behaviour(req: Request) -> Response:
    return json_response(STATE.behaviour)


@service.route("POST", r"/_control/behaviour")
@_answer
def set_behaviour(req: Request) -> Response:
    payload = _payload(req)
    knobs = STATE.behaviour[_platform(payload)]
    changes = {name: value for name, value in payload.items() if name != "platform"}
    for name, value in changes.items():
        if name not in knobs:
            raise _BadRequest(f"{name} is not a knob of {payload['platform']}: {', '.join(knobs)}")
        _check_knob(name, BEHAVIOUR[payload["platform"]][name], value)
    knobs.update(changes)
    return json_response(knobs)


def _check_knob(name: str, default: object, value: object) -> None:
    """A knob keeps the type of its default: a flag, a count, a number of seconds, or a text
    (null: off)."""
    if isinstance(default, bool):
        ok, wanted = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        wanted = "an integer >= 0"
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        wanted = "a number > 0"
    else:
        ok, wanted = value is None or (isinstance(value, str) and value != ""), "a text or null"
    if not ok:
        raise _BadRequest(f"{name} must be {wanted}")


@service.route("POST", r"/_control/clock")
@_answer
def advance_clock(req: Request) -> Response:
    STATE.offset += _number(_payload(req), "advance", 0)
    return json_response({"now": STATE.now(), "offset": STATE.offset})


@service.route("GET", r"/_avatars/(?P<key>[^/]+)\.svg")
def avatar(req: Request) -> Response:
    key = req.params["key"]
    letter = next((c for c in key if c.isalnum()), "?").upper()
    hue = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 360
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
        f'<rect width="200" height="200" fill="hsl({hue},55%,45%)"/>'
        '<text x="100" y="100" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="96" fill="#fff">{escape(letter)}</text></svg>'
    )
    return Response(200, svg.encode(), {"Content-Type": "image/svg+xml"})
