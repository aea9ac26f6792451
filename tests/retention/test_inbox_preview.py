"""The conversation list previews a copy of a message's text: when retention deletes the
message, the copy goes too (recomputed from the newest message left, or emptied)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox import retention
from inbox.models import Conversation, Message
from retention import engine

pytestmark = pytest.mark.django_db
SECRET = "My address is 12 Old Street, call me on 0770 900 123"


@pytest.fixture
def thirty_days(workspace):
    workspace.inbox_retention_days = 30
    workspace.save()
    return workspace


@pytest.fixture
def account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


def _thread(account, *messages: tuple[str, str, int]) -> Conversation:
    """A thread of (direction, text, days ago) messages, its preview set as ingest and
    replies set it: the newest customer message or reply."""
    now = timezone.now()
    convo = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind="message",
        thread_key="ana",
        participant_id="ana",
        participant_name="Ana Lima",
    )
    for n, (direction, text, days) in enumerate(messages):
        Message.objects.create(
            conversation=convo,
            account=account,
            direction=direction,
            external_id=f"m{n}" if direction == "inbound" else "",
            text=text,
            sent_at=now - timedelta(days=days),
        )
    shown = [m for m in messages if m[0] != "note"]
    newest = min(shown, key=lambda m: m[2])
    Conversation.objects.filter(pk=convo.pk).update(
        preview=newest[1][:200], last_message_at=now - timedelta(days=min(m[2] for m in messages))
    )
    return convo


def test_a_thread_kept_by_a_recent_note_no_longer_previews_the_purged_message(
    thirty_days, account, owner, client
):
    convo = _thread(account, ("inbound", SECRET, 40), ("note", "Called her back", 2))
    assert Conversation.objects.get(pk=convo.pk).preview == SECRET

    assert engine.run(keys=["inbox-messages"]) == {"inbox-messages": 1}

    convo.refresh_from_db()
    assert list(convo.messages.values_list("text", flat=True)) == ["Called her back"]
    assert convo.preview == ""
    client.force_login(owner.user)
    page = client.get(reverse("inbox", args=[thirty_days.slug])).content.decode()
    assert "Ana Lima" in page
    assert "12 Old Street" not in page


def test_the_preview_falls_back_to_the_newest_message_left(thirty_days, account):
    convo = _thread(
        account,
        ("inbound", "Old question", 45),
        ("outbound", "Our answer from last week", 7),
        ("note", "Internal: VIP", 1),
    )
    # A preview made out of order (a late event) held the old text.
    Conversation.objects.filter(pk=convo.pk).update(preview="Old question")

    retention.purge_workspace(thirty_days)

    convo.refresh_from_db()
    assert convo.preview == "Our answer from last week"


def test_a_long_message_left_is_previewed_to_the_previews_length(thirty_days, account):
    long_text = "Tell me more " * 40
    convo = _thread(account, ("inbound", long_text, 3), ("inbound", SECRET, 31))
    Conversation.objects.filter(pk=convo.pk).update(preview=SECRET)

    retention.purge_workspace(thirty_days)

    convo.refresh_from_db()
    assert convo.preview == long_text[:200]


def test_threads_with_nothing_purged_keep_their_preview(thirty_days, account):
    convo = _thread(account, ("inbound", "Hello there", 3))
    Conversation.objects.filter(pk=convo.pk).update(preview="Hello there")
    before = Conversation.objects.get(pk=convo.pk).updated_at

    retention.purge_workspace(thirty_days)

    convo.refresh_from_db()
    assert (convo.preview, convo.updated_at) == ("Hello there", before)
