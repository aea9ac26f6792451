"""Inbox fixtures, shared by tests/inbox and tests/browser: the emulator's webhooks pointed at
the live server, and helpers that run the inbox's task functions in this process (no eager
mode: the code under test is real)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings

from inbox import deliveries, replies
from inbox.models import Message, WebhookDelivery


@pytest.fixture
def subscribed(live_server, emulator):
    """Both webhook subscriptions verified against the live server."""
    meta = emulator.control(
        "POST",
        "webhooks/subscribe",
        {
            "platform": "meta",
            "url": f"{live_server.url}/webhooks/meta/",
            "secret": settings.PLATFORM_CREDENTIALS["meta"][1],
            "verify_token": settings.META_WEBHOOK_VERIFY_TOKEN,
        },
    )
    x = emulator.control(
        "POST",
        "webhooks/subscribe",
        {
            "platform": "x",
            "url": f"{live_server.url}/webhooks/x/",
            "secret": settings.X_CONSUMER_SECRET,
        },
    )
    assert meta["verified"], meta
    assert x["verified"], x
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
