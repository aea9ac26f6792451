"""A customer writes on each platform; the message lands in the inbox; the team answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_facebook_message_arrives_and_is_answered(
    subscribed, emulator, accounts, client, owner, process_deliveries, send_queued
):
    page = accounts["facebook"]
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "message",
            "account_id": page.external_id,
            "from": {"id": "900001", "name": "Ana Lima"},
            "text": "Do you ship to Portugal?",
        },
    )
    assert event["deliveries"][0]["status"] == 200, event
    assert process_deliveries() == 1
    conversation = Conversation.objects.get(account=page)
    assert conversation.participant_name == "Ana Lima" or conversation.participant_id == "900001"
    client.force_login(owner.user)
    response = client.get(reverse("inbox_conversation", args=["acme", conversation.pk]))
    assert b"Do you ship to Portugal?" in response.content
    response = client.post(
        reverse("inbox_reply", args=["acme", conversation.pk]), {"text": "Yes, in 3 days."}
    )
    assert response.status_code == 302, response.content[:2000]
    assert send_queued() == ["sent"]
    sent = emulator.control("GET", "replies?platform=meta")
    assert sent[-1]["text"] == "Yes, in 3 days."
    assert sent[-1]["messaging_type"] == "RESPONSE"
    assert Message.objects.get(direction="outbound").status == "sent"
