"""The webhook driver and the inbox control calls: subscribe Mixora's webhook URL (running the
platform's verification handshake against it), make customers write (`/_control/inbound`),
deliver the signed webhook, and list what the product replied (`/_control/replies`).

Meta signs with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` (and the
legacy `X-Hub-Signature: sha1=<hex>`), X with `x-twitter-webhooks-signature: sha256=<base64
HMAC-SHA256(consumer secret, raw body)>`, LinkedIn with `X-LI-Signature: <hex HMAC-SHA256(client
secret, "hmacsha256=" + raw body)>` (`linkedin_events`). The state lock is released while the
emulator talks to the webhook URL, so the receiver may call the emulator back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from emulator import (
    inbox,
    inbox_meta,
    inbox_x,
    inbox_youtube,
    linkedin_comments,
    linkedin_events,
    subscriptions,
)
from emulator.inbox import Event
from emulator.posts import iso
from emulator.server import Request, Response, Service, json_response, with_query
from emulator.state import STATE

# The control stand-ins for settings pages with no API (Meta's App Dashboard, LinkedIn's
# Developer Portal); X webhooks register through POST /2/webhooks (emulator/inbox_x.py).
WEBHOOK_PLATFORMS = ("meta", "linkedin")
BUILDERS = {
    "meta": inbox_meta.inbound,
    "x": inbox_x.inbound,
    "google": inbox_youtube.inbound,
    "linkedin": linkedin_comments.inbound,
}
DEFAULT_TIMEOUT = 5.0

service = Service(None)


def _call(
    method: str, url: str, timeout: float, body: bytes | None = None, headers: dict | None = None
) -> tuple[int | None, bytes, str | None]:
    """(status, body, error) of an HTTP call to the webhook URL; status None if it failed."""
    # The URL was checked to be http(s) at subscribe.
    request = urllib.request.Request(url, body, headers or {}, method=method)  # noqa: S310
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with STATE.unlocked(), opener.open(request, timeout=timeout) as answer:
            return answer.status, answer.read(), None
    except urllib.error.HTTPError as error:
        return error.code, error.read(), None
    except (OSError, ValueError) as error:
        return None, b"", str(error)


def _timeout(payload: dict) -> float:
    value = payload.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError("timeout must be a number > 0")
    return float(value)


def crc_response(secret: str, crc_token: str) -> str:
    digest = hmac.new(secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def _verify(platform: str, subscription: dict, timeout: float) -> dict:
    """Run the handshake; the outcome (verified, status, reason)."""
    if platform == "linkedin":
        return linkedin_events.validate(subscription["url"], subscription["secret"], timeout, _call)
    challenge = secrets.token_urlsafe(16)
    if platform == "meta":
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": subscription["verify_token"],
            "hub.challenge": challenge,
        }
        status, body, error = _call("GET", with_query(subscription["url"], query), timeout)
        ok = status == 200 and body.decode(errors="replace").strip() == challenge
        expected = "the hub.challenge echoed"
    else:
        status, body, error = _call(
            "GET", with_query(subscription["url"], {"crc_token": challenge}), timeout
        )
        try:
            token = json.loads(body).get("response_token")
        except (ValueError, AttributeError):
            token = None
        ok = status == 200 and token == crc_response(subscription["secret"], challenge)
        expected = "a JSON response_token of sha256=base64(HMAC-SHA256(secret, crc_token))"
    reason = None if ok else (error or f"answered {status}; expected {expected}")
    return {"verified": ok, "status": status, "reason": reason}


@service.route("POST", r"/_control/webhooks/subscribe")
def subscribe(req: Request) -> Response:
    payload = req.json if isinstance(req.json, dict) else {}
    platform = payload.get("platform")
    if platform not in WEBHOOK_PLATFORMS:
        return json_response({"error": "platform must be meta or linkedin"}, 400)
    url, secret = payload.get("url"), payload.get("secret")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        return json_response({"error": "url must be an http(s) URL"}, 400)
    if not isinstance(secret, str) or not secret:
        return json_response({"error": "secret (the app / consumer secret) is required"}, 400)
    verify_token = payload.get("verify_token")
    if platform == "meta" and (not isinstance(verify_token, str) or not verify_token):
        return json_response({"error": "verify_token is required for meta"}, 400)
    try:
        timeout = _timeout(payload)
        # LinkedIn's webhook belongs to one app of the Developer Portal (webhook-validation).
        app = linkedin_events.portal_app(payload) if platform == "linkedin" else {}
    except ValueError as error:
        return json_response({"error": str(error)}, 400)
    subscription = {
        "platform": platform,
        "url": url,
        "secret": secret,
        "verify_token": verify_token,
        **app,
    }
    subscription.update(_verify(platform, subscription, timeout))
    STATE.table("webhook_subscriptions")[platform] = subscription
    return json_response({k: v for k, v in subscription.items() if k != "secret"})


def sign(platform: str, secret: str, body: bytes) -> dict[str, str]:
    """The signature headers of a delivery."""
    if platform == "linkedin":
        return linkedin_events.signature(secret, body)
    key = secret.encode()
    if platform == "meta":
        return {
            "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
            "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
        }
    digest = hmac.new(key, body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


def _deliver(event: Event, timeout: float) -> dict:
    """POST the event's webhook to the verified subscription; the delivery record."""
    subscription = STATE.table("webhook_subscriptions").get(event.platform)
    delivery: dict = {"time": iso(STATE.now()), "status": None}
    if not subscription or not subscription["verified"]:
        delivery["error"] = f"no verified {event.platform} webhook subscription"
    elif event.subscription_field and not subscriptions.covers(
        event.platform, event.subscriber, event.subscription_field
    ):
        # Platforms send an account's events only once it subscribed to that field.
        delivery["error"] = (
            f"{event.subscriber} is not subscribed to {event.subscription_field} events"
        )
    else:
        # Meta escapes non-ASCII as \uXXXX in what it signs and sends.
        body = json.dumps(event.body, separators=(",", ":"), ensure_ascii=True).encode()
        headers = {
            "Content-Type": "application/json",
            **sign(event.platform, subscription["secret"], body),
        }
        status, _, error = _call("POST", subscription["url"], timeout, body, headers)
        delivery["status"] = status
        if error:
            delivery["error"] = error
    event.deliveries.append(delivery)
    return delivery


def _sender(payload: dict) -> dict:
    sender = payload.get("from")
    if not isinstance(sender, dict) or not sender.get("id") or not sender.get("name"):
        raise ValueError('from must be {"id", "name"}')
    return {"id": str(sender["id"]), "name": str(sender["name"])}


def _text(platform: str, payload: dict) -> str:
    """The event's text: required, but a Meta message may carry attachments instead (the Meta
    builder checks it has one or the other)."""
    text = payload.get("text", "")
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    attached = payload.get("attachments") is not None
    if attached and (platform, payload["kind"]) != ("meta", "message"):
        raise ValueError("attachments are only emulated on meta messages")
    if not text and not attached:
        raise ValueError("text is required")
    return text


@service.route("POST", r"/_control/inbound")
def inbound(req: Request) -> Response:
    payload = req.json if isinstance(req.json, dict) else {}
    platform = payload.get("platform")
    if platform not in BUILDERS:
        return json_response({"error": "platform must be meta, x or google"}, 400)
    try:
        timeout = _timeout(payload)
        if "redeliver" in payload:
            event = inbox.events().get(str(payload["redeliver"]))
            if event is None or event.platform != platform or event.body is None:
                raise ValueError(f"no {platform} webhook event {payload['redeliver']}")
            _deliver(event, timeout)
            return json_response(event.to_json())
        if payload.get("kind") not in ("message", "comment"):
            raise ValueError("kind must be message or comment")
        text = _text(platform, payload)
        event = inbox.add_event(BUILDERS[platform](req, payload, _sender(payload), text))
    except ValueError as error:
        return json_response({"error": str(error)}, 400)
    if event.body is not None and payload.get("deliver", True):
        _deliver(event, timeout)
    return json_response(event.to_json(), 201)


@service.route("GET", r"/_control/inbound")
def inbound_list(req: Request) -> Response:
    platform = req.query.get("platform")
    return json_response(
        [e.to_json() for e in inbox.events().values() if platform in (None, e.platform)]
    )


@service.route("GET", r"/_control/replies")
def replies(req: Request) -> Response:
    platform = req.query.get("platform")
    sent = sorted(inbox.replies() + inbox_x.reply_posts(), key=lambda reply: reply["sent_at"])
    return json_response([r for r in sent if platform in (None, r["platform"], r["network"])])
