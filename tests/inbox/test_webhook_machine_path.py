"""Webhook deliveries skip the middleware a person's pages need (mixora/middleware_machine.py):
no session, CSRF, log-in or consent work on /webhooks/, while the size limit still applies
and every other page keeps its middleware."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings as django_settings
from django.test import Client

from inbox.models import WebhookDelivery

pytestmark = pytest.mark.django_db

BODY = b'{"object":"page","entry":[]}'
MACHINE = "mixora.middleware_machine.MachineEndpointsMiddleware"


@pytest.fixture(autouse=True)
def machine_path(settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("mixora.request_size.RequestSizeLimitMiddleware") + 1, MACHINE
    )
    settings.MIDDLEWARE = middleware
    settings.MACHINE_PATH_PREFIXES = ["/webhooks/"]


def signature(body: bytes) -> str:
    """X-Hub-Signature-256, as Meta signs (developers.facebook.com/docs/graph-api/webhooks)."""
    secret = django_settings.PLATFORM_CREDENTIALS["meta"][1].encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def post(client: Client, body: bytes, sign: bool = True, **extra):
    headers = {"X-Hub-Signature-256": signature(body)} if sign else {}
    return client.post(
        "/webhooks/meta/", body, content_type="application/json", headers=headers, **extra
    )


def test_a_signed_delivery_is_stored_without_session_or_consent_work():
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "not-a-session"  # never looked up

    response = post(client, BODY, HTTP_SEC_GPC="1")

    assert response.status_code == 200
    assert response.content == b"EVENT_RECEIVED"
    assert bytes(WebhookDelivery.objects.get().body) == BODY
    assert not response.cookies  # no session, CSRF or consent cookie
    assert "Sec-GPC" not in response.get("Vary", "")  # ConsentMiddleware did not run


def test_refusals_are_the_views_own():
    client = Client()
    assert post(client, BODY, sign=False).status_code == 403
    assert post(client, b"[1]").status_code == 400
    assert client.put("/webhooks/meta/", BODY).status_code == 405
    assert (
        client.post("/webhooks/nowhere/", BODY, content_type="application/json").status_code == 404
    )
    assert client.get("/webhooks/", {}).status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_the_size_limit_still_applies(settings):
    settings.REQUEST_MAX_BYTES = 100
    response = post(Client(), b'{"pad":"' + b"x" * 200 + b'"}')
    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_other_pages_keep_their_middleware():
    response = Client().get("/accounts/login/", HTTP_SEC_GPC="1")
    assert response.status_code == 200
    assert "Sec-GPC" in response["Vary"]
    assert "csrftoken" in response.cookies
