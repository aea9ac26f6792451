"""Inbound events through the real emulator: it POSTs signed webhooks to the live server, the
processing task's function stores them. Each kind of event lands in the right thread, a
redelivered or late event never duplicates or misorders anything, and deliveries that fail
stay for another attempt."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox import deliveries, replies, triage
from inbox.models import Conversation, Message, WebhookDelivery
from publishing import publisher
from publishing.models import PostTarget
from tests.connections.consent import callback_path, consent
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = {"id": "900001", "name": "Ana Lima"}
TEXT = "Olá! Vocês entregam em Lisboa? ☕"


@pytest.fixture(autouse=True)
def _clean_queue(celery_queue):
    """The live server enqueues a processing task per delivery; the queue is emptied."""
    return celery_queue


def inbound(emulator, **payload) -> dict:
    event = emulator.control("POST", "inbound", payload)
    if payload.get("deliver", True):
        assert event["deliveries"][-1]["status"] == 200, event
    else:
        assert event["deliveries"] == [], event  # held back for a later redelivery
    return event


def redeliver(emulator, platform: str, event: dict) -> dict:
    answer = emulator.control("POST", "inbound", {"platform": platform, "redeliver": event["id"]})
    assert answer["deliveries"][-1]["status"] == 200, answer
    return answer


def earlier_post(emulator, network: str, account_id: str) -> str:
    """A post the account published outside Mixora, for customers to comment on."""
    post = emulator.control(
        "POST", "posts", {"network": network, "account_id": account_id, "text": "Our new menu"}
    )
    return post["id"]


def advance_clock(emulator, seconds: int) -> None:
    emulator.control("POST", "clock", {"advance": seconds})


def event_time(event: dict) -> datetime:
    return datetime.strptime(event["created_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def close_to(moment: datetime, event: dict) -> bool:
    """Platforms send seconds or milliseconds; created_time is whole seconds."""
    return abs(moment - event_time(event)) < timedelta(seconds=1)


# --- every kind of event lands in its own kind of thread ---------------------------------

# account, emulator platform, kind, network of the post commented on (None: no post)
KINDS = {
    "facebook-message": ("facebook", "meta", "message", None),
    "instagram-message": ("instagram", "meta", "message", None),
    "facebook-comment": ("facebook", "meta", "comment", "facebook"),
    "instagram-comment": ("instagram", "meta", "comment", "instagram"),
    "x-direct-message": ("x", "x", "message", None),
    "x-reply-to-a-post": ("x", "x", "comment", "x"),
    "x-mention": ("x", "x", "comment", None),
}


@pytest.mark.parametrize("case", list(KINDS))
def test_each_kind_of_event_becomes_its_conversation_and_message(
    subscribed, emulator, accounts, process_deliveries, celery_queue, case
):
    key, platform, kind, post_network = KINDS[case]
    account = accounts[key]
    post_id = earlier_post(emulator, post_network, account.external_id) if post_network else None
    payload = {"platform": platform, "kind": kind, "account_id": account.external_id}
    if post_id:
        payload["post_id"] = post_id
    event = inbound(emulator, **payload, **{"from": CUSTOMER, "text": TEXT})

    # The webhook view stored the delivery and queued its processing.
    delivery = WebhookDelivery.objects.get()
    assert celery_queue() == [("inbox.tasks.process_delivery", [delivery.pk])]
    assert process_deliveries() == 1

    conversation = Conversation.objects.get()
    assert conversation.account == account
    assert conversation.workspace == account.workspace
    assert conversation.kind == kind
    # A DM thread is the person; a comment thread is the top-level comment (or post).
    assert conversation.thread_key == (CUSTOMER["id"] if kind == "message" else event["id"])
    assert conversation.participant_id == CUSTOMER["id"]
    assert conversation.participant_name == "Ana Lima"
    assert conversation.external_post_id == (post_id or "")
    assert conversation.post_target is None
    assert conversation.status == Conversation.Status.OPEN
    # X posts name the account: a reply starts with its @handle, a mention holds it.
    text = f"@democo {TEXT}" if platform == "x" and kind == "comment" else TEXT
    assert conversation.preview == text
    message = conversation.messages.get()
    assert message.direction == Message.Direction.INBOUND
    assert message.status == Message.Status.RECEIVED
    assert message.external_id == event["id"]
    assert message.text == text
    assert message.sender_name == "Ana Lima"
    assert close_to(message.sent_at, event)
    assert conversation.last_message_at == message.sent_at
    assert conversation.last_inbound_at == message.sent_at
    assert not WebhookDelivery.objects.exists()  # processed deliveries are deleted


def test_a_meta_sender_gets_the_name_from_the_profile_lookup(
    subscribed, emulator, accounts, process_deliveries
):
    """Messenger webhooks carry only an id: the name comes from the User Profile API."""
    page = accounts["facebook"]
    inbound(
        emulator,
        platform="meta",
        kind="message",
        account_id=page.external_id,
        text="Hi",
        **{"from": {"id": "900777", "name": "Mary Ann Lee"}},
    )
    assert "Mary Ann Lee" not in bytes(WebhookDelivery.objects.get().body).decode()

    process_deliveries()

    conversation = Conversation.objects.get()
    assert conversation.participant_name == "Mary Ann Lee"
    assert conversation.participant_avatar_url.startswith("http")
    assert conversation.messages.get().sender_name == "Mary Ann Lee"


def test_two_messages_from_one_person_share_a_thread_and_two_people_do_not(
    subscribed, emulator, accounts, process_deliveries
):
    page = accounts["facebook"]
    for sender, text in (
        (CUSTOMER, "One"),
        (CUSTOMER, "Two"),
        ({"id": "900002", "name": "Bo"}, "x"),
    ):
        inbound(
            emulator,
            platform="meta",
            kind="message",
            account_id=page.external_id,
            text=text,
            **{"from": sender},
        )

    assert process_deliveries() == 3

    threads = {c.thread_key: c for c in Conversation.objects.all()}
    assert set(threads) == {"900001", "900002"}
    assert [m.text for m in threads["900001"].messages.all()] == ["One", "Two"]


def test_a_customer_answering_our_x_reply_stays_in_the_same_thread(
    subscribed, emulator, accounts, owner, process_deliveries
):
    account = accounts["x"]
    post_id = earlier_post(emulator, "x", account.external_id)
    sent = {"platform": "x", "kind": "comment", "account_id": account.external_id}
    first = inbound(emulator, **sent, post_id=post_id, text="Vegan options?", **{"from": CUSTOMER})
    process_deliveries()
    conversation = Conversation.objects.get()
    reply = replies.create_reply(conversation, owner.user, "Yes, three!", typed_by_person=True)
    assert replies.send(reply.pk) == "sent"
    reply.refresh_from_db()
    answered = emulator.control("GET", "replies?platform=x")
    assert [(r["id"], r["in_reply_to"]) for r in answered] == [(reply.external_id, first["id"])]

    advance_clock(emulator, 2)  # X dates posts to the second
    follow_up = inbound(
        emulator, **sent, post_id=reply.external_id, text="Which ones?", **{"from": CUSTOMER}
    )
    assert process_deliveries() == 1

    assert Conversation.objects.count() == 1
    assert [m.external_id for m in conversation.messages.all()] == [
        first["id"],
        reply.external_id,
        follow_up["id"],
    ]
    conversation.refresh_from_db()
    assert conversation.preview == "@democo Which ones?"  # X starts a reply with the @handle


# --- comments on posts Mixora published --------------------------------------------------


def publish(scheduled_post, account, upload) -> PostTarget:
    """Publish a post through the real publisher, as tests/publishing does."""
    media = [upload("image")] if account.platform == "instagram" else []
    scheduled_post([account], f"Fresh from the oven on {account.platform}", media)
    publisher.dispatch_due()
    queued = PostTarget.objects.filter(state=PostTarget.State.QUEUED)
    assert [publisher.publish_one(t.pk) for t in queued] == ["published"]
    return PostTarget.objects.get(account=account)


@pytest.mark.parametrize(
    ("key", "platform"), [("facebook", "meta"), ("instagram", "meta"), ("x", "x")]
)
def test_a_comment_on_a_post_mixora_published_links_to_that_post(
    subscribed, emulator, accounts, scheduled_post, upload, process_deliveries, key, platform
):
    account = accounts[key]
    target = publish(scheduled_post, account, upload)
    assert target.platform_post_id

    inbound(
        emulator,
        platform=platform,
        kind="comment",
        account_id=account.external_id,
        post_id=target.platform_post_id,
        text="Looks delicious",
        **{"from": CUSTOMER},
    )
    assert process_deliveries() == 1

    conversation = Conversation.objects.get()
    assert conversation.external_post_id == target.platform_post_id
    assert conversation.post_target == target


def test_a_comment_on_another_post_is_not_linked_to_a_published_one(
    subscribed, emulator, accounts, scheduled_post, upload, process_deliveries
):
    page = accounts["facebook"]
    publish(scheduled_post, page, upload)
    other = earlier_post(emulator, "facebook", page.external_id)

    inbound(
        emulator,
        platform="meta",
        kind="comment",
        account_id=page.external_id,
        post_id=other,
        text="And this one?",
        **{"from": CUSTOMER},
    )
    process_deliveries()

    conversation = Conversation.objects.get()
    assert conversation.external_post_id == other
    assert conversation.post_target is None


# --- redelivery and order ----------------------------------------------------------------


@pytest.mark.parametrize(("key", "platform"), [("facebook", "meta"), ("x", "x")])
def test_a_redelivered_event_is_stored_once(
    subscribed, emulator, accounts, process_deliveries, key, platform
):
    account = accounts[key]
    event = inbound(
        emulator,
        platform=platform,
        kind="message",
        account_id=account.external_id,
        text="Only once",
        **{"from": CUSTOMER},
    )
    assert process_deliveries() == 1

    redeliver(emulator, platform, event)
    assert WebhookDelivery.objects.count() == 1
    assert process_deliveries() == 0

    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert not WebhookDelivery.objects.exists()


def test_the_same_event_delivered_twice_before_processing_is_stored_once(
    subscribed, emulator, accounts, process_deliveries
):
    page = accounts["facebook"]
    event = inbound(
        emulator,
        platform="meta",
        kind="comment",
        account_id=page.external_id,
        post_id=earlier_post(emulator, "facebook", page.external_id),
        text="Twice?",
        **{"from": CUSTOMER},
    )
    redeliver(emulator, "meta", event)
    assert WebhookDelivery.objects.count() == 2

    assert process_deliveries() == 1

    assert Message.objects.get().external_id == event["id"]
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(("key", "platform"), [("facebook", "meta"), ("x", "x")])
def test_events_arriving_out_of_order_keep_the_thread_in_time_order(
    subscribed, emulator, accounts, process_deliveries, key, platform
):
    account = accounts[key]
    sent = {"platform": platform, "kind": "message", "account_id": account.external_id}
    older = inbound(emulator, **sent, text="First, older", deliver=False, **{"from": CUSTOMER})
    advance_clock(emulator, 90)
    newer = inbound(emulator, **sent, text="Second, newer", **{"from": CUSTOMER})
    assert process_deliveries() == 1

    redeliver(emulator, platform, older)  # held until now: it arrives last
    assert process_deliveries() == 1

    conversation = Conversation.objects.get()
    messages = list(conversation.messages.all())
    assert [m.text for m in messages] == ["First, older", "Second, newer"]
    assert messages[0].sent_at < messages[1].sent_at
    assert close_to(messages[0].sent_at, older)
    assert close_to(messages[1].sent_at, newer)
    assert conversation.preview == "Second, newer"
    assert conversation.last_message_at == messages[1].sent_at
    assert conversation.last_inbound_at == messages[1].sent_at


@pytest.mark.parametrize("status", [Conversation.Status.RESOLVED, Conversation.Status.SNOOZED])
def test_a_late_older_message_does_not_reopen_a_closed_thread_but_a_new_one_does(
    subscribed, emulator, accounts, process_deliveries, status
):
    page = accounts["facebook"]
    sent = {"platform": "meta", "kind": "message", "account_id": page.external_id}
    older = inbound(emulator, **sent, text="Late one", deliver=False, **{"from": CUSTOMER})
    advance_clock(emulator, 60)
    inbound(emulator, **sent, text="Thanks, all good", **{"from": CUSTOMER})
    process_deliveries()
    conversation = Conversation.objects.get()
    triage.set_status(conversation, status, timezone.now() + timedelta(days=1))

    redeliver(emulator, "meta", older)
    assert process_deliveries() == 1
    conversation.refresh_from_db()
    assert conversation.status == status
    assert conversation.preview == "Thanks, all good"

    advance_clock(emulator, 60)
    inbound(emulator, **sent, text="One more question", **{"from": CUSTOMER})
    assert process_deliveries() == 1
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.snoozed_until is None
    assert conversation.preview == "One more question"


# --- which workspaces get an event -------------------------------------------------------


def connect_meta(client, slug: str) -> None:
    """Connect the emulator's Pages to a workspace through the real OAuth flow."""
    start = client.post(reverse("connections_connect", args=[slug, "meta"]))
    back = client.get(callback_path(consent(start["Location"])))
    page = client.get(back["Location"])
    client.post(back["Location"], {"accounts": [o["key"] for o in page.context["options"]]})


def test_a_page_connected_in_two_workspaces_gets_the_message_in_both(
    subscribed, emulator, accounts, client, process_deliveries
):
    other = WorkspaceFactory(name="Beta", slug="beta")
    other_owner = MembershipFactory(workspace=other, role=Role.OWNER)
    client.force_login(other_owner.user)
    connect_meta(client, "beta")
    page = accounts["facebook"]
    assert other.connected_accounts.filter(external_id=page.external_id).exists()

    event = inbound(
        emulator,
        platform="meta",
        kind="message",
        account_id=page.external_id,
        text="Hello both",
        **{"from": CUSTOMER},
    )
    assert process_deliveries() == 2

    conversations = Conversation.objects.order_by("workspace__slug")
    assert [c.workspace.slug for c in conversations] == ["acme", "beta"]
    for conversation in conversations:
        assert conversation.account.workspace_id == conversation.workspace_id
        assert conversation.account.external_id == page.external_id
        assert [m.external_id for m in conversation.messages.all()] == [event["id"]]


@pytest.mark.parametrize("platform", ["meta", "x"])
def test_an_event_for_an_account_nobody_connected_stores_nothing(
    subscribed, emulator, accounts, process_deliveries, platform
):
    if platform == "meta":
        # Meta sends only for Pages that installed the app: a Page connected once, whose
        # account is gone from Mixora while the install stayed.
        account_id = "20000000000002"  # the seeded Demo Co Bakery
        ConnectedAccount.objects.filter(external_id=account_id).delete()
    else:
        # X sends only for users with an X Activity subscription: one whose account is gone
        # from Mixora while the subscription stayed.
        account_id = accounts["x"].external_id
        ConnectedAccount.objects.filter(external_id=account_id).delete()
    inbound(
        emulator,
        platform=platform,
        kind="message",
        account_id=account_id,
        text="Anyone there?",
        **{"from": CUSTOMER},
    )
    assert WebhookDelivery.objects.count() == 1

    assert process_deliveries() == 0

    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- deliveries that fail ----------------------------------------------------------------


def _meta_message(account_id: str, mid: str, timestamp: object) -> dict:
    return {
        "sender": {"id": CUSTOMER["id"]},
        "recipient": {"id": account_id},
        "timestamp": timestamp,
        "message": {"mid": mid, "text": "hello"},
    }


@pytest.mark.django_db  # no live server: the faster rollback is enough
def test_a_delivery_whose_processing_fails_is_kept_with_its_error(accounts):
    page = accounts["facebook"]
    # A good message, then one whose timestamp no parser can read.
    body = {
        "object": "page",
        "entry": [
            {
                "id": page.external_id,
                "time": 1777629600000,
                "messaging": [
                    _meta_message(page.external_id, "m_good", 1777629600000),
                    _meta_message(page.external_id, "m_bad", "yesterday"),
                ],
            }
        ],
    }
    delivery = WebhookDelivery.objects.create(platform="meta", body=json.dumps(body).encode())

    with pytest.raises(ValueError, match="yesterday"):
        deliveries.process(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.error.startswith("ValueError")
    assert "yesterday" in delivery.error
    assert not Message.objects.exists()  # all or nothing: the good message waits too
    assert not Conversation.objects.exists()

    with pytest.raises(ValueError, match="yesterday"):
        deliveries.process(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2


@pytest.mark.django_db  # no live server: the faster rollback is enough
def test_a_batched_delivery_stores_the_messages_of_every_entry(accounts, workspace):
    """Meta batches events of several Pages into one delivery."""
    coffee, bakery = "20000000000001", "20000000000002"
    assert workspace.connected_accounts.filter(external_id=bakery).exists()
    body = {
        "object": "page",
        "entry": [
            {"id": page, "time": 1777629600000, "messaging": [_meta_message(page, mid, ms)]}
            for page, mid, ms in (
                (coffee, "m_batch1", 1777629600000),
                (bakery, "m_batch2", 1777629601000),
            )
        ],
    }
    delivery = WebhookDelivery.objects.create(platform="meta", body=json.dumps(body).encode())

    assert deliveries.process(delivery.pk) == 2

    stored = {m.external_id: m.account.external_id for m in Message.objects.all()}
    assert stored == {"m_batch1": coffee, "m_batch2": bakery}
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db  # no live server: the faster rollback is enough
def test_a_stored_delivery_that_is_not_json_is_kept_with_its_error(db):
    delivery = WebhookDelivery.objects.create(platform="x", body=b"{truncated")

    with pytest.raises(json.JSONDecodeError):
        deliveries.process(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.error.split(":")[0]) == (1, "JSONDecodeError")


@pytest.mark.django_db  # no live server: the faster rollback is enough
def test_processing_a_delivery_that_is_gone_does_nothing(db):
    delivery = WebhookDelivery.objects.create(platform="meta", body=b'{"object": "page"}')
    assert deliveries.process(delivery.pk) == 0
    assert not WebhookDelivery.objects.exists()

    assert deliveries.process(delivery.pk) == 0


@pytest.mark.django_db  # no live server: the faster rollback is enough
def test_stale_ids_are_old_unprocessed_deliveries_oldest_first(db):
    now = timezone.now()

    def stored(age: timedelta, attempts: int = 0) -> int:
        delivery = WebhookDelivery.objects.create(platform="meta", body=b"{}", attempts=attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=now - age)
        return delivery.pk

    fresh = stored(timedelta(seconds=30))
    old = stored(timedelta(minutes=5))
    older_failed = stored(timedelta(hours=1), attempts=3)
    given_up = stored(timedelta(hours=2), attempts=deliveries.MAX_ATTEMPTS)

    ids = deliveries.stale_ids()

    assert ids == [older_failed, old]
    assert fresh not in ids
    assert given_up not in ids
