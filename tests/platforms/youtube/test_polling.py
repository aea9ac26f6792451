"""Polling YouTube comments over real HTTP to the emulator: plain text, and new replies under
threads started long ago (commentThreads.list lists threads by when they started)."""

from __future__ import annotations

import pytest

from inbox import polling
from inbox.models import Message
from tests.platforms.youtube.helpers import advance, comment, video

pytestmark = pytest.mark.django_db


def test_polling_asks_for_plain_text_and_stores_it(emulator, accounts):
    channel = accounts["youtube"]
    text = "Tips & tricks <3 https://example.com/x?a=1&b=2\nThanks"
    comment(emulator, channel, text, video_id=video(emulator, channel))

    assert polling.poll(channel) == 1

    assert Message.objects.get().text == text  # not the HTML textDisplay
    calls = emulator.requests("google", "youtube.comment_threads")
    assert {call["query"]["textFormat"] for call in calls} == {"plainText"}


def test_a_new_reply_in_a_thread_whose_listing_holds_only_some_replies_arrives(emulator, accounts):
    """The listing's `replies` holds five of six replies: the sixth comes from comments.list."""
    channel = accounts["youtube"]
    thread = comment(emulator, channel, "Question", video_id=video(emulator, channel))
    for n in range(5):
        comment(emulator, channel, f"Answer {n}", parent=thread["id"])
    assert polling.poll(channel) == 6

    advance(emulator, 60)
    late = comment(emulator, channel, "One more thing", parent=thread["id"])

    assert polling.poll(channel) == 1
    message = Message.objects.get(external_id=late["id"])
    assert message.conversation.thread_key == thread["id"]
    assert message.text == "One more thing"
    replies = emulator.requests("google", "youtube.comments")
    assert [call["query"]["parentId"] for call in replies] == [thread["id"]]
    assert replies[0]["query"]["textFormat"] == "plainText"


def test_a_new_reply_under_an_old_thread_past_the_first_page_arrives(emulator, accounts):
    """A hundred newer threads push the old one to page 2, which the poll no longer reads
    (its first page already reaches back past the last poll): the thread is asked for by id."""
    channel = accounts["youtube"]
    video_id = video(emulator, channel)
    old = comment(emulator, channel, "Old question", video_id=video_id)
    for n in range(100):
        viewer = {"id": f"UCviewer{n:016d}", "name": f"Viewer {n}"}
        comment(emulator, channel, f"Thread {n}", video_id=video_id, viewer=viewer)
    advance(emulator, 2 * 3600)
    comment(emulator, channel, "First answer", parent=old["id"])
    assert polling.poll(channel) == 102

    advance(emulator, 2 * 3600)
    late = comment(emulator, channel, "A late answer", parent=old["id"])
    before = len(emulator.requests("google", "youtube.comment_threads"))

    assert polling.poll(channel) == 1

    assert Message.objects.get(external_id=late["id"]).conversation.thread_key == old["id"]
    calls = emulator.requests("google", "youtube.comment_threads")[before:]
    assert not [call for call in calls if call["query"].get("pageToken")]  # page 1 only
    assert any(old["id"] in call["query"].get("id", "").split(",") for call in calls)


def test_an_unchanged_thread_is_not_read_again(emulator, accounts):
    channel = accounts["youtube"]
    thread = comment(emulator, channel, "Question", video_id=video(emulator, channel))
    for n in range(6):
        comment(emulator, channel, f"Answer {n}", parent=thread["id"])
    assert polling.poll(channel) == 7
    first = len(emulator.requests("google", "youtube.comments"))

    assert polling.poll(channel) == 0

    assert len(emulator.requests("google", "youtube.comments")) == first


def test_disconnecting_forgets_the_watched_threads(emulator, accounts, client):
    from django.urls import reverse

    from connections.platforms.youtube import watch

    channel = accounts["youtube"]
    comment(emulator, channel, "Question", video_id=video(emulator, channel))
    polling.poll(channel)
    assert watch.load(channel)

    client.post(reverse("connections_disconnect", args=["acme", channel.pk]))

    assert watch.load(channel) == {}
