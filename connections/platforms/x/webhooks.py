"""X's webhook endpoint (`/webhooks/x/`) for X Activity API events.

docs.x.com/x-api/webhooks/quickstart: X's CRC is a GET with `crc_token`,
answered with `{"response_token": "sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}`;
every POST carries `x-twitter-webhooks-signature` made the same way over the raw body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from ..inbox_types import InboundItem
from ..network import WebhookSource
from . import activity, events

# The CRC answer is the same HMAC as a delivery's signature, so answering any string would
# sign any body. X's crc_token is a short token of URL-safe base64 characters; a delivery is a
# JSON object, which starts with "{" — a character no acceptable crc_token contains.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,256}")


def _digest(secret: str, message: bytes) -> str:
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(_digest(secret, body).encode(), header.strip().encode())


def crc_response(secret: str, crc_token: str) -> str | None:
    """The CRC answer, or None for a token X would never send."""
    if not CRC_TOKEN.fullmatch(crc_token):
        return None
    return _digest(secret, crc_token.encode())


class XWebhooks(WebhookSource):
    name = "x"

    def handshake(self, request: HttpRequest) -> HttpResponse:
        secret = settings.X_CONSUMER_SECRET
        answer = crc_response(secret, request.GET.get("crc_token", "")) if secret else None
        if answer is None:
            return HttpResponse(
                "Missing or invalid crc_token.", status=400, content_type="text/plain"
            )
        return JsonResponse({"response_token": answer})

    def signature_ok(self, request: HttpRequest) -> bool:
        return signature_ok(
            settings.X_CONSUMER_SECRET,
            request.body,
            request.headers.get("x-twitter-webhooks-signature", ""),
        )

    def parse(self, body: dict[str, Any]) -> Iterator[InboundItem]:
        return events.parse(body)

    def register(self, callback_url: str) -> str:
        from ..registry import connector
        from .connector import XConnector

        return activity.register(connector(XConnector.provider), callback_url)  # type: ignore[arg-type]
