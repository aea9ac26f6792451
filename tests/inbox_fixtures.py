"""Inbox fixtures, shared by tests/inbox and tests/browser: the emulator's webhooks pointed at
the live server, and helpers that run the inbox's task functions in this process (no eager
mode: the code under test is real)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.platforms.meta.webhooks import MetaWebhooks
from connections.platforms.x.webhooks import XWebhooks
from inbox import deliveries, replies
from inbox.models import Conversation, Message, WebhookDelivery

_ids = itertools.count(1_700_000_000_000_000_001)


def inbound_conversation(
    account, participant="Ana Lima", text="Hello", minutes_ago=0, **fields
) -> Conversation:
    """A conversation on `account` whose last message is `participant`'s `text`."""
    at = timezone.now() - timedelta(minutes=minutes_ago)
    convo = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind=fields.pop("kind", "message"),
        thread_key=f"t-{next(_ids)}",
        participant_id=fields.pop("participant_id", f"p-{next(_ids)}"),
        participant_name=participant,
        last_message_at=at,
        last_inbound_at=at,
        preview=text,
        **fields,
    )
    Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.INBOUND,
        external_id=str(next(_ids)),
        text=text,
        sender_name=participant,
        sent_at=at,
    )
    return convo


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
