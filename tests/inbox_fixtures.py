"""Inbox fixtures, shared by tests/inbox and tests/browser: the emulator's webhooks pointed at
the live server, and helpers that run the inbox's task functions in this process (no eager
mode: the code under test is real)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connections.platforms.meta.webhooks import MetaWebhooks
from connections.platforms.x.webhooks import XWebhooks
from inbox import deliveries, replies
from inbox.models import Message, WebhookDelivery


@pytest.fixture
def subscribed(live_server, emulator, settings):
    """Both webhook subscriptions verified against the live server (this site's SITE_URL, as
    in a deployment)."""
    settings.SITE_URL = live_server.url
    # Meta: the product's own registration (the app's subscriptions edge).
    MetaWebhooks().register(f"{live_server.url}/webhooks/meta/")
    # X: the product's own registration (POST /2/webhooks and its CRC); X accounts connected
    # before or after get their X Activity subscriptions pointed at it.
    XWebhooks().register(f"{live_server.url}/webhooks/x/")
    return live_server


@pytest.fixture
def process_deliveries() -> Callable[[], int]:
    """Run the processing task's function over every stored delivery; new messages."""

    def run() -> int:
        ids = WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)
        return sum(deliveries.process(pk) for pk in list(ids))

    return run


@pytest.fixture
def send_queued() -> Callable[[], list[str]]:
    def run() -> list[str]:
        ids = Message.objects.filter(status=Message.Status.SENDING).values_list("pk", flat=True)
        return [replies.send(pk) for pk in list(ids)]

    return run
