"""YouTube comments, which arrive only by polling the emulator's commentThreads.list, and what
each connected account can do in the inbox (platform, granted scopes, X API plan)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox import access, polling, replies
from inbox.models import Conversation, Message, PollState
from tests.connections.consent import callback_path, consent

pytestmark = pytest.mark.django_db

GOOGLE_USER = "g-000001"  # docs/emulator.md, seeded state
VIEWER = {"id": "UCviewer000000000000001", "name": "Vera Viewer"}


def video(emulator, channel: ConnectedAccount) -> str:
    """A video the channel published (outside Mixora), for viewers to comment on."""
    post = emulator.control(
        "POST",
        "posts",
        {"network": "youtube", "account_id": channel.external_id, "text": "Latte art in 60 s"},
    )
    return post["id"]


def comment(emulator, channel: ConnectedAccount, video_id: str, text: str, viewer=VIEWER) -> dict:
    return emulator.control(
        "POST",
        "inbound",
        {
            "platform": "google",
            "kind": "comment",
            "account_id": channel.external_id,
            "post_id": video_id,
            "from": viewer,
            "text": text,
        },
    )


# --- polling YouTube ---------------------------------------------------------------------


def test_polling_picks_up_new_video_comments(emulator, accounts):
    channel = accounts["youtube"]
    video_id = video(emulator, channel)
    event = comment(emulator, channel, video_id, "How do you get the foam so fine? 🤔")

    assert polling.poll(channel) == 1

    conversation = Conversation.objects.get()
    assert conversation.account == channel
    assert conversation.kind == Conversation.Kind.COMMENT
    assert conversation.thread_key == event["id"]
    assert conversation.participant_id == VIEWER["id"]
    assert conversation.participant_name == "Vera Viewer"
    assert conversation.external_post_id == video_id
    assert conversation.preview == "How do you get the foam so fine? 🤔"
    message = conversation.messages.get()
    assert message.direction == Message.Direction.INBOUND
    assert message.external_id == event["id"]
    assert message.text == "How do you get the foam so fine? 🤔"
    state = PollState.objects.get(account=channel)
    assert state.last_polled_at is not None
    assert state.newest_seen_at == message.sent_at
    assert state.last_error == ""


def test_polling_twice_stores_nothing_twice(emulator, accounts):
    channel = accounts["youtube"]
    video_id = video(emulator, channel)
    comment(emulator, channel, video_id, "First!")
    comment(emulator, channel, video_id, "Second", {"id": "UCother", "name": "Otto"})

    assert polling.poll(channel) == 2
    assert polling.poll(channel) == 0

    assert Conversation.objects.count() == 2
    assert Message.objects.count() == 2


def test_a_later_poll_picks_up_only_the_new_comments(emulator, accounts):
    channel = accounts["youtube"]
    video_id = video(emulator, channel)
    comment(emulator, channel, video_id, "Before")
    assert polling.poll(channel) == 1

    emulator.control("POST", "clock", {"advance": 600})
    later = comment(emulator, channel, video_id, "After")

    assert polling.poll(channel) == 1
    assert Message.objects.order_by("sent_at").last().external_id == later["id"]
    assert Message.objects.count() == 2


def test_a_reply_sent_from_mixora_is_not_stored_again_by_the_next_poll(emulator, accounts, owner):
    channel = accounts["youtube"]
    comment(emulator, channel, video(emulator, channel), "Do you sell the cups?")
    polling.poll(channel)
    conversation = Conversation.objects.get()

    reply = replies.create_reply(
        conversation, owner.user, "Yes, in the shop!", typed_by_person=True
    )
    assert replies.send(reply.pk) == "sent"
    sent = emulator.control("GET", "replies?platform=youtube")
    assert [r["text"] for r in sent] == ["Yes, in the shop!"]

    assert polling.poll(channel) == 0  # the listing now holds our reply in the thread

    messages = list(conversation.messages.order_by("sent_at"))
    assert [(m.direction, m.text) for m in messages] == [
        (Message.Direction.INBOUND, "Do you sell the cups?"),
        (Message.Direction.OUTBOUND, "Yes, in the shop!"),
    ]
    assert messages[1].external_id == sent[0]["id"]
    assert messages[1].status == Message.Status.SENT


def test_a_reply_the_channel_wrote_on_youtube_arrives_as_its_own(emulator, accounts):
    """A reply posted outside Mixora (here: straight to the API) shows as the channel's."""
    channel = accounts["youtube"]
    event = comment(emulator, channel, video(emulator, channel), "Open on Sundays?")
    polling.poll(channel)
    answer = requests.post(
        f"{settings.EMULATOR_URL}/youtube/v3/comments",
        params={"part": "snippet"},
        json={"snippet": {"parentId": event["id"], "textOriginal": "Yes, 9 to 5"}},
        headers={"Authorization": f"Bearer {channel.access_token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    assert polling.poll(channel) == 1

    conversation = Conversation.objects.get()
    ours = conversation.messages.get(text="Yes, 9 to 5")
    assert ours.direction == Message.Direction.OUTBOUND
    assert ours.external_id == answer.json()["id"]
    assert ours.sender_name == channel.display_name


def test_due_accounts_respects_the_poll_interval(emulator, accounts, settings):
    channel = accounts["youtube"]
    settings.INBOX_POLL_SECONDS = 300
    assert [a.pk for a in polling.due_accounts()] == [channel.pk]  # never polled

    comment(emulator, channel, video(emulator, channel), "Busy right now")
    polling.poll(channel)  # a comment from just now: a busy channel, the base interval
    assert polling.due_accounts() == []

    def polled_ago(seconds: int) -> None:
        PollState.objects.filter(account=channel).update(
            last_polled_at=timezone.now() - timedelta(seconds=seconds)
        )

    polled_ago(290)
    assert polling.due_accounts() == []
    polled_ago(310)
    assert [a.pk for a in polling.due_accounts()] == [channel.pk]

    settings.INBOX_POLL_SECONDS = 600
    assert polling.due_accounts() == []


def test_an_account_whose_first_poll_never_finished_is_still_due(emulator, accounts):
    """poll() creates the account's PollState before it calls YouTube; a poll that dies
    before saving it (a worker killed at its time limit, a crash) leaves the row without
    last_polled_at. That account must be polled again, not skipped forever."""
    channel = accounts["youtube"]
    PollState.objects.create(account=channel)

    assert [a.pk for a in polling.due_accounts()] == [channel.pk]


def test_only_active_youtube_accounts_are_polled(emulator, accounts):
    assert [a.platform for a in polling.due_accounts()] == ["youtube"]

    ConnectedAccount.objects.filter(pk=accounts["youtube"].pk).update(
        status=ConnectedAccount.Status.NEEDS_RECONNECT
    )

    assert polling.due_accounts() == []


def test_an_auth_failure_while_polling_marks_the_account_for_reconnecting(emulator, accounts):
    channel = accounts["youtube"]
    comment(emulator, channel, video(emulator, channel), "Hello?")
    # The seeded Google user who owns the channel removes the app: every token dies.
    revoked = emulator.control(
        "POST", "tokens/revoke", {"platform": "google", "user_id": GOOGLE_USER}
    )
    assert revoked["revoked"] >= 1

    assert polling.poll(channel) == 0

    channel.refresh_from_db()
    assert channel.status == ConnectedAccount.Status.NEEDS_RECONNECT
    assert channel.status_reason
    state = PollState.objects.get(account=channel)
    assert state.last_error
    assert state.last_polled_at is not None
    assert not Message.objects.exists()
    assert polling.due_accounts() == []


def test_a_platform_outage_while_polling_is_recorded_and_retried(emulator, accounts):
    channel = accounts["youtube"]
    comment(emulator, channel, video(emulator, channel), "Still there?")
    emulator.fail_next("google", "youtube.comment_threads", "server")

    assert polling.poll(channel) == 0

    channel.refresh_from_db()
    assert channel.status == ConnectedAccount.Status.ACTIVE
    assert PollState.objects.get(account=channel).last_error

    assert polling.poll(channel) == 1
    assert PollState.objects.get(account=channel).last_error == ""


# --- what each account can do ------------------------------------------------------------


def by_kind(account: ConnectedAccount) -> dict[str, access.Feature]:
    return {feature.kind: feature for feature in access.features(account)}


def test_tiktok_says_conversations_are_not_available(emulator, accounts):
    (feature,) = access.features(accounts["tiktok"])

    assert (feature.receive, feature.reply) == (False, False)
    assert feature.detail.startswith("TikTok conversations are not available")


def fill_x_plan(workspace) -> int:
    """Other X accounts receiving events, as many as Mixora's X plan has inboxes for."""
    capacity = 1500 // 4  # self-serve: 1,500 X Activity subscriptions, 4 per account
    ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform="x",
            external_id=str(n),
            display_name=f"X {n}",
            details={"events": {"receiving": True, "detail": ""}},
        )
        for n in range(capacity)
    )
    return capacity


def test_x_when_the_plan_inboxes_are_taken_says_so_naming_the_plan(emulator, accounts, settings):
    settings.X_API_PLAN = "self_serve"
    capacity = fill_x_plan(accounts["x"].workspace)

    features = by_kind(accounts["x"])

    assert set(features) == {"message", "comment"}
    for feature in features.values():
        assert (feature.receive, feature.reply) == (False, False)
        assert f"Mixora's X plan (self-serve) allows {capacity} accounts with an inbox" in (
            feature.detail
        )
    settings.X_API_PLAN = "enterprise"  # 75,000 subscriptions: room again
    assert by_kind(accounts["x"])["message"].receive


@pytest.mark.parametrize("plan", ["self_serve", "enterprise"])
def test_x_with_room_in_the_plan_receives_and_answers_messages_and_mentions(
    emulator, accounts, settings, plan
):
    settings.X_API_PLAN = plan

    features = by_kind(accounts["x"])

    assert {k: (f.receive, f.reply) for k, f in features.items()} == {
        "message": (True, True),
        "comment": (True, True),
    }
    assert "plan" not in features["message"].detail


def connect_x(client, owner, dropped: tuple[str, ...]) -> ConnectedAccount:
    """Connect the emulator's X user through the real OAuth flow, unticking some scopes."""
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=["acme", "x"]))
    client.get(callback_path(consent(start["Location"], drop_scopes=dropped)))
    return ConnectedAccount.objects.get(workspace=owner.workspace, platform="x")


@pytest.mark.parametrize(
    "dropped", [("dm.read", "dm.write"), ("dm.write",)], ids=["no-dm-scopes", "no-dm-write"]
)
def test_x_without_the_dm_scopes_says_to_reconnect(client, owner, emulator, settings, dropped):
    account = connect_x(client, owner, dropped)
    assert not set(dropped) & set(account.scopes)

    features = by_kind(account)

    message = features["message"]
    assert (message.receive, message.reply) == (False, False)
    assert message.detail.startswith(f"Reconnect and allow {', '.join(dropped)}")
    assert (features["comment"].receive, features["comment"].reply) == (True, True)


def test_youtube_says_how_often_it_is_polled(emulator, accounts, settings):
    settings.INBOX_POLL_SECONDS = 300
    (feature,) = access.features(accounts["youtube"])
    assert (feature.kind, feature.receive, feature.reply) == ("comment", True, True)
    assert "every 5 min" in feature.detail

    settings.INBOX_POLL_SECONDS = 120
    assert "every 2 min" in access.features(accounts["youtube"])[0].detail


def test_the_inbox_page_explains_each_connected_account(client, accounts, settings):
    fill_x_plan(accounts["x"].workspace)
    settings.INBOX_POLL_SECONDS = 600

    response = client.get("/w/acme/inbox/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "TikTok conversations are not available" in page
    assert "Mixora&#x27;s X plan (self-serve) allows 375 accounts with an inbox" in page
    assert "Checked for new comments every 10 min (YouTube has no webhooks;" in page
    assert "Messenger" in page
    assert "Arrives in real time." in page  # Facebook and Instagram
    for account in accounts.values():
        assert account.display_name in page


def test_the_inbox_page_with_room_in_the_x_plan_shows_no_plan_warning(client, accounts):
    page = client.get(reverse("inbox", args=["acme"])).content.decode()

    assert "X plan" not in page
    assert "TikTok conversations are not available" in page
