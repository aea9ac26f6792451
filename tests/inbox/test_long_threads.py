"""A long thread shows its newest messages, with the earlier ones a page at a time, and the live
poll sends only what changed: every page costs the same queries whatever the thread's length."""

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

EXTRA = 5  # messages beyond one window


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
        for n in range(THREAD_WINDOW + EXTRA)
    )
    return conversation


def _numbers(html: str) -> list[int]:
    """The message numbers shown, in page order."""
    return [int(part.split("<")[0]) for part in html.split("message number ")[1:]]


def test_the_newest_messages_show_and_the_earlier_ones_a_page_at_a_time(client, owner, long_thread):
    client.force_login(owner.user)
    url = reverse("inbox_conversation", args=["acme", long_thread.pk])
    response = client.get(url)
    page = response.content.decode()
    assert _numbers(page) == list(range(EXTRA, THREAD_WINDOW + EXTRA))
    assert f"Show {EXTRA} earlier messages" in page
    first = response.context["first_shown"]
    assert f"?before={first}" in page

    earlier = client.get(reverse("inbox_thread", args=["acme", long_thread.pk]), {"before": first})
    assert earlier.status_code == 200
    html = earlier.content.decode()
    assert _numbers(html) == list(range(EXTRA))
    assert "earlier message" not in html  # nothing before these

    everything = client.get(url + "?all=1").content.decode()  # without JavaScript
    assert _numbers(everything) == list(range(THREAD_WINDOW + EXTRA))


def test_the_poll_sends_only_the_new_message(client, owner, long_thread):
    client.force_login(owner.user)
    context = client.get(reverse("inbox_conversation", args=["acme", long_thread.pk])).context
    url = reverse("inbox_thread", args=["acme", long_thread.pk])
    poll = {"v": context["version"], "after": context["last_shown"]}
    assert client.get(url, poll).status_code == 204

    Message.objects.create(
        conversation=long_thread, account=long_thread.account, direction="inbound", text="new one"
    )
    Conversation.objects.filter(pk=long_thread.pk).update(updated_at=timezone.now())

    response = client.get(url, poll)
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#thread"' in html
    assert "new one" in html
    assert "message number" not in html  # nothing already shown is sent again
    again = {"v": response.context["version"], "after": response.context["last_shown"]}
    assert client.get(url, again).status_code == 204


def test_a_reply_in_flight_is_shown_again_when_it_is_sent(client, owner, long_thread):
    reply = Message.objects.create(
        conversation=long_thread,
        account=long_thread.account,
        direction="outbound",
        text="On its way",
        status=Message.Status.SENDING,
    )
    client.force_login(owner.user)
    page = client.get(reverse("inbox_conversation", args=["acme", long_thread.pk]))
    context = page.context
    assert context["watching"] == [reply.pk]
    assert f"watch={reply.pk}" in page.content.decode()  # the poll carries it
    url = reverse("inbox_thread", args=["acme", long_thread.pk])
    poll = {"v": context["version"], "after": context["last_shown"], "watch": reply.pk}

    Message.objects.filter(pk=reply.pk).update(status=Message.Status.SENT, external_id="x1")
    Conversation.objects.filter(pk=long_thread.pk).update(updated_at=timezone.now())

    response = client.get(url, poll)
    html = response.content.decode()
    assert f'id="message-{reply.pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Sent" in html
    assert "message number" not in html
    assert response.context["watching"] == []


def test_attachments_copied_after_the_page_loaded_are_shown_by_the_poll(
    client, owner, long_thread, emulator
):
    from inbox import enrich

    message = Message.objects.create(
        conversation=long_thread,
        account=long_thread.account,
        direction="inbound",
        text="See the photo",
        external_id="with-photo",
        pending_attachments=[["image", f"{emulator.url}/_media/attachments/photo.png"]],
    )
    client.force_login(owner.user)
    context = client.get(reverse("inbox_conversation", args=["acme", long_thread.pk])).context
    assert context["watching"] == [message.pk]
    url = reverse("inbox_thread", args=["acme", long_thread.pk])
    poll = {"v": context["version"], "after": context["last_shown"], "watch": message.pk}

    enrich._copy_attachments(Message.objects.get(pk=message.pk))

    response = client.get(url, poll)
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in response.content.decode()
    assert response.context["watching"] == []


def test_a_message_that_belongs_earlier_shows_the_window_again(client, owner, long_thread):
    client.force_login(owner.user)
    context = client.get(reverse("inbox_conversation", args=["acme", long_thread.pk])).context
    Message.objects.create(
        conversation=long_thread,
        account=long_thread.account,
        direction="inbound",
        text="late arrival",
        sent_at=timezone.now() - timedelta(days=1, minutes=-(THREAD_WINDOW + EXTRA - 2)),
    )
    Conversation.objects.filter(pk=long_thread.pk).update(updated_at=timezone.now())

    response = client.get(
        reverse("inbox_thread", args=["acme", long_thread.pk]),
        {"v": context["version"], "after": context["last_shown"]},
    )
    html = response.content.decode()
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#thread", "outerHTML")
    assert html.index("late arrival") < html.index(f"message number {THREAD_WINDOW + EXTRA - 1}<")


def _counted(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_long_thread_costs_the_same_queries_as_a_short_one(client, owner, long_thread):
    client.force_login(owner.user)
    page = reverse("inbox_conversation", args=["acme", long_thread.pk])
    poll = reverse("inbox_thread", args=["acme", long_thread.pk])
    client.get(page)  # the first look also creates this person's read mark
    context = client.get(page).context
    last = context["last_shown"]

    def new_message() -> None:
        Message.objects.create(
            conversation=long_thread, account=long_thread.account, direction="inbound", text="hi"
        )

    long_page = _counted(client, page)
    earlier = _counted(client, poll, {"before": context["first_shown"]})
    new_message()
    long_poll = _counted(client, poll, {"after": last})

    Message.objects.filter(conversation=long_thread).exclude(
        external_id__in=[f"m{THREAD_WINDOW + EXTRA - 2}", f"m{THREAD_WINDOW + EXTRA - 1}"]
    ).delete()
    context = client.get(page).context
    short_page = _counted(client, page)
    new_message()
    short_poll = _counted(client, poll, {"after": context["last_shown"]})

    # One COUNT more when messages are left out; nothing grows with the thread.
    assert long_page == short_page + 1
    assert long_poll == short_poll
    assert earlier <= short_page
