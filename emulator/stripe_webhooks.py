"""Stripe's signed webhook deliveries.

Each event goes to every enabled endpoint that listens for its type, as a pretty-printed JSON
body with `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
(docs.stripe.com/webhooks#verify-manually; the header stripe-python's
`WebhookSignature.generate_signature_header` builds). Deliveries happen right after the state
change, with the state lock released (the receiver may call the API back), each with a timeout;
a failed delivery is recorded, not retried (replay it through the control API).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import time
from urllib.parse import urlsplit

from emulator.state import STATE
from emulator.stripe_core import all_of, get, store


def signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _listens(endpoint: dict, event_type: str) -> bool:
    events = endpoint["enabled_events"]
    return endpoint["status"] == "enabled" and ("*" in events or event_type in events)


def _post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    """(status, error) of POSTing the delivery; status None if it never got an answer."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.netloc, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with STATE.unlocked():
            connection.connect()
            # Headers and body go out in two writes; without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every delivery.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.request("POST", path, body, headers)
            answer = connection.getresponse()
            answer.read()
            return answer.status, None
    except (OSError, http.client.HTTPException) as error:
        return None, str(error) or type(error).__name__
    finally:
        connection.close()


def deliver(event: dict) -> list[dict]:
    """Send one event to every endpoint listening for it; the delivery records."""
    data = store()
    records = []
    # Stripe pretty-prints the payload; the signature covers these exact bytes.
    body = json.dumps(event, indent=2).encode()
    for endpoint in reversed(all_of("webhook_endpoint")):
        if not _listens(endpoint, event["type"]):
            continue
        # Signed with the real time: the receiver checks it against its own clock.
        header = signature(endpoint["secret"], body, int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": header,
        }
        status, error = _post(endpoint["url"], body, headers, data["settings"]["webhook_timeout"])
        record = {
            "id": f"dlv_{len(data['deliveries']) + 1}",
            "event": event["id"],
            "type": event["type"],
            "endpoint": endpoint["id"],
            "url": endpoint["url"],
            "status": status,
            "error": error,
            "signature": header,
            "body": body.decode(),
            "time": int(time.time()),
        }
        data["deliveries"].append(record)
        records.append(record)
    return records


def flush() -> None:
    """Deliver the queued events in order, unless deliveries are paused."""
    data = store()
    if data["settings"]["paused"]:
        return
    while data["outbox"]:
        event = get(data["outbox"].pop(0), "event")
        if event is not None:
            deliver(event)


def replay(order: str, event_ids: list[str] | None, types: list[str] | None) -> list[dict]:
    """Redeliver events, newly signed: the given ones, else those held back while paused, else
    every event; `reverse` sends them newest first, `duplicate` sends each twice."""
    data = store()
    if event_ids:
        chosen = event_ids
    elif data["outbox"]:
        chosen = list(data["outbox"])
    else:
        chosen = list(data["events"])
    data["outbox"] = [i for i in data["outbox"] if i not in chosen]
    events = [e for i in chosen if (e := get(i, "event")) is not None]
    if types:
        events = [event for event in events if event["type"] in types]
    if order == "reverse":
        events.reverse()
    elif order == "duplicate":
        events = [event for event in events for _ in range(2)]
    records = []
    for event in events:
        records.extend(deliver(event))
    return records
