"""`register_webhooks` for Meta: the app's subscriptions edge, which verifies the callback with
the hub.challenge handshake against the live server before it answers."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from connections.errors import Permanent
from connections.platforms.meta.webhooks import MetaWebhooks

pytestmark = pytest.mark.django_db(transaction=True)


def app_subscriptions(emulator) -> list[dict]:
    app_id, secret = settings.PLATFORM_CREDENTIALS["meta"]
    return requests.get(
        f"{emulator.url}/graph/v25.0/{app_id}/subscriptions",
        params={"access_token": f"{app_id}|{secret}"},
        timeout=5,
    ).json()["data"]


def test_register_subscribes_the_page_and_instagram_objects(live_server, emulator):
    url = f"{live_server.url}/webhooks/meta/"
    line = MetaWebhooks().register(url)
    assert url in line
    assert "App Dashboard" in line  # Instagram messages cannot be set through the API
    emulator.control("POST", "meta/app_dashboard", {"object": "instagram", "fields": []})
    MetaWebhooks().register(url)
    listed = {s["object"]: s for s in app_subscriptions(emulator)}
    # Instagram comments through the edge; its messages only from the App Dashboard.
    assert {obj: [f["name"] for f in s["fields"]] for obj, s in listed.items()} == {
        "page": ["feed", "messages"],
        "instagram": ["comments"],
    }
    assert all(s["active"] and s["callback_url"] == url for s in listed.values())
    calls = emulator.requests("meta", "meta.app_subscriptions")
    assert all("|" not in c["path"] for c in calls)  # the app token travels in a header


def test_a_failed_handshake_is_an_error(live_server, emulator):
    with pytest.raises(Permanent, match="callback verification failed"):
        # A URL that does not answer the challenge (404).
        MetaWebhooks().register(f"{live_server.url}/webhooks/nowhere/")
    assert app_subscriptions(emulator) == []
