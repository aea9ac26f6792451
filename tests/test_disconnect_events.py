"""Disconnecting stops the account's events at the platform; when the platform does not
confirm it, the account is still gone here and the person is told, never a silent success."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from connections.models import ConnectedAccount

pytestmark = pytest.mark.django_db

BAKERY = "20000000000002"  # a seeded Page with no Instagram account: its install is its own


def _disconnect(client, account):
    return client.post(reverse("connections_disconnect", args=["acme", account.pk]))


@pytest.fixture
def bakery(workspace, connect_all, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # connecting subscribes after commit
        connect_all()
    return workspace.connected_accounts.get(external_id=BAKERY)


def _last_message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def _subscribed_pages(emulator) -> set[str]:
    return {e["account_id"] for e in emulator.control("GET", "subscriptions").get("meta", [])}


def test_a_page_stops_its_events_when_disconnected(client, bakery, emulator):
    assert BAKERY in _subscribed_pages(emulator)

    response = _disconnect(client, bakery)

    assert _last_message(response) == "Disconnected Facebook Page: Demo Co Bakery."
    assert BAKERY not in _subscribed_pages(emulator)


def test_a_platform_that_does_not_confirm_stopping_events_is_reported(client, bakery, emulator):
    emulator.fail_next("meta", "meta.subscribed_apps", "server")

    response = _disconnect(client, bakery)

    message = _last_message(response)
    assert message.startswith("Disconnected Facebook Page: Demo Co Bakery and deleted its data")
    assert "did not confirm every step" in message
    assert not ConnectedAccount.objects.filter(pk=bakery.pk).exists()
