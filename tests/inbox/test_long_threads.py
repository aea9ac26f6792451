"""A long thread shows its newest messages, with the earlier ones one click away, in the same
number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox.models import Conversation, Message
from inbox.queries import THREAD_WINDOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_thread(workspace):
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Acme on X"
    )
    conversation = Conversation.objects.create(
        workspace=workspace, account=account, kind="message", thread_key="p", participant_id="p"
    )
    start = timezone.now() - timedelta(days=1)
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            account=account,
            direction="inbound",
            text=f"message number {n}",
            external_id=f"m{n}",
            sent_at=start + timedelta(minutes=n),
        )
        for n in range(THREAD_WINDOW + 5)
    )
    return conversation


def test_the_newest_messages_show_and_the_earlier_ones_on_request(client, owner, long_thread):
    client.force_login(owner.user)
    url = reverse("inbox_conversation", args=["acme", long_thread.pk])
    page = client.get(url).content.decode()
    assert "message number 104" in page
    assert "message number 5</p>" in page
    assert "message number 4</p>" not in page
    assert "Show 5 earlier messages" in page
    everything = client.get(url + "?all=1").content.decode()
    assert "message number 0</p>" in everything
    assert "Show 5 earlier" not in everything


def test_a_long_thread_costs_the_same_queries_as_a_short_one(client, owner, long_thread):
    client.force_login(owner.user)
    url = reverse("inbox_thread", args=["acme", long_thread.pk])
    client.get(url)  # the first look also creates this person's read mark
    with CaptureQueriesContext(connection) as long_page:
        client.get(url)
    Message.objects.filter(conversation=long_thread, sent_at__lt=timezone.now()).exclude(
        external_id__in=["m103", "m104"]
    ).delete()
    with CaptureQueriesContext(connection) as short_page:
        client.get(url)
    # One COUNT more when messages are left out; nothing grows with the thread.
    assert len(long_page.captured_queries) == len(short_page.captured_queries) + 1
