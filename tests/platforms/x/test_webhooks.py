"""X's webhook: registration through the v2 webhook API (the emulator runs the CRC against the
live server), `manage.py register_webhooks`, and the CRC that must never sign a delivery."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json

import pytest
import requests
from django.conf import settings
from django.core.management import CommandError, call_command

from connections.errors import Permanent
from connections.models import ConnectedAccount
from connections.platforms.registry import webhook_source
from inbox.models import WebhookDelivery
from tests.platforms.x.test_events import connect_x, x_subscriptions

pytestmark = pytest.mark.django_db(transaction=True)


def app_token(emulator) -> str:
    answer = requests.post(
        f"{emulator.url}/x-api/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET),
        timeout=5,
    )
    return answer.json()["access_token"]


def webhooks(emulator) -> list[dict]:
    answer = requests.get(
        f"{emulator.url}/x-api/2/webhooks",
        headers={"Authorization": f"Bearer {app_token(emulator)}"},
        timeout=5,
    )
    return answer.json()["data"]


def test_register_creates_the_webhook_once_and_reuses_it(live_server, emulator):
    url = f"{live_server.url}/webhooks/x/"
    source = webhook_source("x")

    first = source.register(url)
    again = source.register(url)

    (hook,) = webhooks(emulator)
    assert (hook["url"], hook["valid"]) == (url, True)
    assert first == f"X webhook {hook['id']} created for {url}"
    assert again == f"X webhook {hook['id']} already delivers to {url}"


def test_register_revalidates_a_webhook_x_marked_invalid(live_server, emulator, settings):
    url = f"{live_server.url}/webhooks/x/"
    webhook_source("x").register(url)
    (hook,) = webhooks(emulator)
    token = app_token(emulator)
    # A periodic CRC failed (e.g. the secret was rotated on one side only).
    settings.X_CONSUMER_SECRET = "rotated-on-our-side"
    answer = requests.put(
        f"{emulator.url}/x-api/2/webhooks/{hook['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )
    assert answer.json() == {"data": {"valid": False}}
    settings.X_CONSUMER_SECRET = "test-x-consumer-secret"

    done = webhook_source("x").register(url)

    assert done == f"X webhook {hook['id']} re-validated for {url}"
    assert webhooks(emulator)[0]["valid"] is True


def test_register_fails_plainly_when_the_crc_fails(live_server, emulator):
    # A URL that does not answer X's CRC: X creates no webhook.
    with pytest.raises(Permanent, match="CrcValidationFailed"):
        webhook_source("x").register(f"{live_server.url}/webhooks/nowhere/")
    assert webhooks(emulator) == []


def test_register_needs_the_consumer_pair(emulator, settings):
    settings.X_CONSUMER_KEY = ""
    with pytest.raises(Permanent, match="X_CONSUMER_KEY and X_CONSUMER_SECRET are not set"):
        webhook_source("x").register("https://mixora.example/webhooks/x/")


def test_register_webhooks_command_registers_x(live_server, emulator):
    # The command registers every network; another network's outcome is not this test's.
    with contextlib.suppress(CommandError):
        call_command("register_webhooks", live_server.url)
    assert [hook["url"] for hook in webhooks(emulator)] == [f"{live_server.url}/webhooks/x/"]


# --- another deployment sharing the X app -------------------------------------------------


def other_deployment(live_server) -> str:
    """Another site's X webhook URL (it answers X's CRC: the same app, the same secret)."""
    return live_server.url.replace("localhost", "127.0.0.1") + "/webhooks/x/"


def test_accounts_subscribe_with_this_sites_webhook_only(live_server, client, owner, emulator):
    other = other_deployment(live_server)
    assert other != f"{settings.SITE_URL}/webhooks/x/"
    token = app_token(emulator)
    requests.post(
        f"{emulator.url}/x-api/2/webhooks",
        json={"url": other},
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    ).raise_for_status()

    account = connect_x(client, owner)

    # Not pointed at the other site's webhook, and not called receiving.
    assert [s.get("webhook_id") for s in x_subscriptions(emulator)] == [None] * 4
    assert account.details["events"]["receiving"] is False
    webhook_source("x").register(f"{live_server.url}/webhooks/x/")
    ours = next(h["id"] for h in webhooks(emulator) if h["url"] != other)
    assert {s["webhook_id"] for s in x_subscriptions(emulator)} == {ours}


def test_another_deployments_registration_leaves_our_subscriptions(
    subscribed, client, owner, emulator
):
    connect_x(client, owner)
    (ours,) = {s["webhook_id"] for s in x_subscriptions(emulator)}
    # The other deployment has its own database: the X account is not connected there.
    ConnectedAccount.objects.all().delete()

    done = webhook_source("x").register(other_deployment(subscribed))

    assert "now deliver to it" not in done
    assert {s["webhook_id"] for s in x_subscriptions(emulator)} == {ours}


# --- defect 3: the CRC answer is never a signature over a body ----------------------------


def _sign(body: bytes) -> str:
    digest = hmac.new(settings.X_CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def test_a_json_body_as_crc_token_is_refused_so_no_delivery_can_be_forged(client):
    forged = json.dumps(
        {"data": {"filter": {"user_id": "1"}, "event_type": "dm.received", "payload": {}}}
    )
    crc = client.get("/webhooks/x/", {"crc_token": forged})
    assert crc.status_code == 400
    assert b"response_token" not in crc.content

    # What the attacker would have needed: the CRC answer as a signature. Without it, any
    # signature they make up is refused and nothing is stored.
    attempt = client.post(
        "/webhooks/x/",
        forged.encode(),
        content_type="application/json",
        headers={"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(b"guess").decode()},
    )
    assert attempt.status_code == 403
    assert not WebhookDelivery.objects.exists()
    # A real token is still answered, with the HMAC of the token.
    ok = client.get("/webhooks/x/", {"crc_token": "Q2hhbGxlbmdlX3Rva2VuXzEyMw=="})
    assert ok.json() == {"response_token": _sign(b"Q2hhbGxlbmdlX3Rva2VuXzEyMw==")}
