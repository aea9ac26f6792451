"""Meta's webhook endpoint (`/webhooks/meta/`), for Page and Instagram events.

developers.facebook.com/docs/graph-api/webhooks/getting-started: the GET handshake answers
`hub.challenge` when `hub.mode=subscribe` and `hub.verify_token` is ours; every POST carries
`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .. import Provider, credentials
from ..inbox_types import InboundItem
from ..network import WebhookSource
from . import events
from .connector import MetaConnector


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # Bytes on both sides: a header with characters outside ASCII is just wrong, not an error.
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def verify_token_ok(expected: str, mode: str, token: str) -> bool:
    return (
        bool(expected)
        and mode == "subscribe"
        and hmac.compare_digest(expected.encode(), token.encode())
    )


# What each object's deliveries carry for the inbox (events.parse reads exactly these).
# Instagram messaging fields cannot be set through this edge: "configuration via the App
# Subscriptions edge is not supported" (docs/messenger-platform/instagram/features/webhook).
APP_FIELDS = {"page": ("feed", "messages"), "instagram": ("comments",)}


class MetaWebhooks(WebhookSource):
    name = "meta"

    def handshake(self, request: HttpRequest) -> HttpResponse:
        ok = verify_token_ok(
            settings.META_WEBHOOK_VERIFY_TOKEN,
            request.GET.get("hub.mode", ""),
            request.GET.get("hub.verify_token", ""),
        )
        if not ok:
            return HttpResponse("Verification failed.", status=403, content_type="text/plain")
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")

    def signature_ok(self, request: HttpRequest) -> bool:
        _, app_secret = credentials(Provider.META)
        return signature_ok(
            app_secret, request.body, request.headers.get("X-Hub-Signature-256", "")
        )

    def acknowledgement(self) -> HttpResponse:
        return HttpResponse("EVENT_RECEIVED", content_type="text/plain")

    def parse(self, body: dict[str, Any]) -> Iterator[InboundItem]:
        return events.parse(body)

    def register(self, callback_url: str) -> str:
        """The app's webhook settings, per object: `POST /{app-id}/subscriptions` with the app
        token; Meta verifies the callback (the hub.challenge GET) before it answers.
        developers.facebook.com/docs/graph-api/webhooks/subscriptions-edge"""
        app_id, secret = credentials(Provider.META)
        client = MetaConnector()
        for obj, fields in APP_FIELDS.items():
            client.graph_post(
                f"{app_id}/subscriptions",
                f"{app_id}|{secret}",
                object=obj,
                callback_url=callback_url,
                verify_token=settings.META_WEBHOOK_VERIFY_TOKEN,
                fields=",".join(fields),
            )
        subscribed = "; ".join(f"{obj}: {', '.join(fields)}" for obj, fields in APP_FIELDS.items())
        return (
            f"meta webhooks deliver to {callback_url} ({subscribed}). Instagram messages are "
            "turned on in the App Dashboard only (Webhooks > Instagram > messages)."
        )
