"""How every emulated Stripe API call is answered: API-key auth, parameters (unknown ones are
refused, as Stripe does), idempotency keys, `expand[]`, Stripe's error envelope, then the
scheduled work that fell due and the webhook deliveries the call caused.

Paths are `/stripe/v1/...`: point the SDK's `base_addresses={"api": <emulator>/stripe}` here.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from emulator.server import Request, Response, Route, Service, json_response
from emulator.state import Fault
from emulator.stripe_clock import settle
from emulator.stripe_core import (
    API_VERSION,
    StripeError,
    expand,
    frozen,
    new_id,
    params,
    remember_base,
    store,
)
from emulator.stripe_webhooks import flush

ApiHandler = Callable[[Request, dict], dict]


def _fault(req: Request, route: Route, fault: Fault) -> Response:
    """Injected faults in Stripe's shapes (docs.stripe.com/error-handling)."""
    if fault.kind == "rate_limit":
        error = StripeError(
            "Too many requests hit the API too quickly.", status=429, code="rate_limit"
        )
    elif fault.kind == "auth":
        error = StripeError("Invalid API Key provided: sk_test_****", status=401)
    elif fault.kind == "validation":
        error = StripeError("Invalid request (injected fault).", status=400)
    else:
        error = StripeError(
            "An unknown error occurred (injected fault).", status=500, kind="api_error"
        )
    return json_response({"error": error.body}, error.status, _headers())


service = Service("stripe", render_fault=_fault)
# Registered after every other Stripe route: Stripe's answer to a path it does not know.
unknown = Service(None)


def _headers() -> dict[str, str]:
    return {"Request-Id": new_id("req", 14), "Stripe-Version": API_VERSION}


def _api_key(req: Request) -> str:
    """The secret key from `Authorization: Bearer` (or Basic, as curl -u sends it). The
    emulator is test mode only: any `sk_test_` key is accepted
    (docs.stripe.com/keys#obtain-api-keys)."""
    key = req.bearer_token()
    if key is None and (basic := req.basic_auth()):
        key = basic[0]
    if not key:
        raise StripeError(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
            status=401,
        )
    if not key.startswith("sk_test_"):
        raise StripeError(f"Invalid API Key provided: {key[:8]}****{key[-4:]}", status=401)
    return key


def _check_known(payload: dict, allowed: set[str]) -> None:
    for name in payload:
        if name not in allowed and name != "expand":
            # Stripe refuses parameters it does not know (docs.stripe.com/api/errors).
            raise StripeError(f"Received unknown parameter: {name}", param=name)


def endpoint(methods: str, path: str, name: str, allowed: str = "") -> Callable:
    """Register an API handler for `/stripe/v1/{path}`; `allowed` lists its parameters."""
    names = set(allowed.split())

    def register(handler: ApiHandler) -> ApiHandler:
        @service.route(methods, rf"/stripe/v1/{path}", f"stripe.{name}")
        def wrapped(req: Request) -> Response:
            return answer(req, lambda payload: handler(req, payload), names)

        return handler

    return register


def answer(req: Request, run: Callable[[dict], dict], allowed: set[str]) -> Response:
    remember_base(req)
    replayed, status = None, 200
    key = idempotency = None
    try:
        key = _api_key(req)
        payload = params(req)
        _check_known(payload, allowed)
        idempotency = req.headers.get("idempotency-key") if req.method == "POST" else None
        signature = json.dumps([req.path, payload], sort_keys=True)
        if idempotency:
            replayed = _replay(key, idempotency, signature)
        if replayed is None:
            with frozen():
                body = expand(run(payload), payload)
                settle()
    except StripeError as error:
        status, body = error.status, {"error": error.body}
    if replayed is not None:
        status, body = replayed
    elif idempotency and status in (200, 402):
        # Saved once the endpoint ran, failures included (docs.stripe.com/api/idempotent_requests).
        store()["idempotency"][(key, idempotency)] = (signature, status, body)
    headers = _headers()
    if replayed is not None:
        headers["Idempotent-Replayed"] = "true"
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    flush()
    return json_response(body, status, headers)


def _replay(key: str, idempotency: str, signature: str) -> tuple[int, dict] | None:
    saved = store()["idempotency"].get((key, idempotency))
    if saved is None:
        return None
    if saved[0] != signature:
        raise StripeError(
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{idempotency}' if you meant to "
            "execute a different request.",
            kind="idempotency_error",
        )
    return saved[1], saved[2]


@unknown.route("GET POST DELETE PUT PATCH", r"/stripe/v1/.*")
def unrecognized(req: Request) -> Response:
    error = StripeError(
        f"Unrecognized request URL ({req.method}: {req.path.removeprefix('/stripe')}). "
        "Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    return json_response({"error": error.body}, 404, _headers())
