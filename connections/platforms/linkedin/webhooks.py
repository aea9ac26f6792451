"""LinkedIn's webhook endpoint (`/webhooks/linkedin/`) for Organization Social Action
Notifications.

https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation: LinkedIn
validates the URL (and re-validates it every 2 hours) with a GET carrying `challengeCode`,
answered with JSON {challengeCode, challengeResponse: hex HMAC-SHA256(clientSecret,
challengeCode)}; every POST carries `X-LI-Signature`: hex HMAC-SHA256(clientSecret,
"hmacsha256=" + the raw body). The URL is set in the Developer Portal (app → Webhooks tab);
LinkedIn has no API for it."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from ...errors import Permanent
from .. import Provider, credentials
from ..inbox_types import InboundItem
from ..network import WebhookSource
from . import events

# The challengeCode is a type-4 UUID. Its answer is the same HMAC a signature is, so a code
# that could be a signed message ("hmacsha256=" + a body) must never be answered.
CHALLENGE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _secret() -> str:
    return credentials(Provider.LINKEDIN)[1]


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def challenge_response(secret: str, code: str) -> str | None:
    """The challengeResponse, or None for a code LinkedIn would never send."""
    if not CHALLENGE.fullmatch(code):
        return None
    return _hex_hmac(secret, code.encode())


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    """X-LI-Signature over the raw body, compared as bytes: a header with non-ASCII
    characters is a mismatch, not an error."""
    if not secret or not header:
        return False
    expected = _hex_hmac(secret, b"hmacsha256=" + body).encode()
    return hmac.compare_digest(expected, header.encode("utf-8", "replace"))


class LinkedInWebhooks(WebhookSource):
    name = "linkedin"

    def handshake(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("challengeCode", "")
        secret = _secret()
        answer = challenge_response(secret, code) if secret else None
        if answer is None:
            return HttpResponse(
                "Missing or invalid challengeCode.", status=400, content_type="text/plain"
            )
        return JsonResponse({"challengeCode": code, "challengeResponse": answer})

    def signature_ok(self, request: HttpRequest) -> bool:
        return signature_ok(_secret(), request.body, request.headers.get("X-LI-Signature", ""))

    def parse(self, body: dict[str, Any]) -> Iterator[InboundItem]:
        return events.parse(body)

    def register(self, callback_url: str) -> str:
        if not settings.EMULATOR_URL:
            return (
                f"LinkedIn: set {callback_url} as the webhook in the Developer Portal (the app's "
                "Webhooks tab), which validates it; LinkedIn has no API for this."
            )
        # Local mode and tests: the emulator's stand-in for the portal's Webhooks tab.
        client_id, secret = credentials(Provider.LINKEDIN)
        return emulator_register(
            {
                "platform": "linkedin",
                "url": callback_url,
                "secret": secret,
                "client_id": client_id,
                "app_id": settings.LINKEDIN_APP_ID,
            }
        )


def emulator_register(payload: dict[str, Any]) -> str:
    """The emulator's stand-in for the Developer Portal's Webhooks tab (local mode and tests:
    LinkedIn has no API for it)."""
    response = requests.post(
        f"{settings.EMULATOR_URL}/_control/webhooks/subscribe", json=payload, timeout=(3, 30)
    )
    if not response.ok or not response.json().get("verified"):
        raise Permanent(f"The emulator did not verify the webhook: {response.text[:200]}")
    return f"{payload['platform']} webhooks deliver to {payload['url']}"
