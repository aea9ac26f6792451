"""Answering conversations: each platform's reply window and length limit, the human agent
confirmation, real sends through the emulator, failures, retries and exactly-once sending."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox import polling, replies
from inbox.models import Conversation, Message
from inbox.windows import reply_rule
from mixora.errors import UserFacingError

SCOPES = {
    "facebook": ["pages_messaging", "pages_manage_engagement"],
    "instagram": ["instagram_manage_messages", "instagram_manage_comments"],
    "x": ["tweet.read", "tweet.write", "users.read", "dm.read", "dm.write"],
    "youtube": ["https://www.googleapis.com/auth/youtube.force-ssl"],
}

# The platforms' documented limits, written out here so a wrong table in the code shows.
LIMITS = [
    ("facebook", "message", 2000),
    ("facebook", "comment", 8000),
    ("instagram", "message", 1000),
    ("instagram", "comment", 2200),
    ("x", "message", 10000),
    ("x", "comment", 280),
    ("youtube", "comment", 10000),
]


def _conversation(workspace, platform, kind="message", inbound_ago=timedelta(minutes=5)):
    account, _ = ConnectedAccount.objects.get_or_create(
        workspace=workspace,
        platform=platform,
        external_id=f"{platform}-1",
        defaults={"display_name": f"Acme on {platform}", "scopes": SCOPES[platform]},
    )
    convo = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind=kind,
        thread_key=f"{platform}-{kind}-customer",
        participant_id="customer-1",
        participant_name="Ana Lima",
        last_inbound_at=timezone.now() - inbound_ago,
    )
    if (platform, kind) == ("x", "comment"):
        # X lets self-serve apps answer only posts that mention the account.
        account.handle = "@acme"
        account.save(update_fields=["handle"])
        _inbound(convo, "@acme do you deliver?")
    return convo


def _inbound(convo: Conversation, text: str) -> Message:
    return Message.objects.create(
        conversation=convo,
        account=convo.account,
        direction=Message.Direction.INBOUND,
        external_id=str(Message.objects.count() + 1),
        text=text,
        sent_at=convo.last_inbound_at,
    )


def _outbound():
    return Message.objects.filter(direction=Message.Direction.OUTBOUND)


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- reply windows ------------------------------------------------------------------------


META = pytest.mark.parametrize("platform", ["facebook", "instagram"])


@META
def test_23h59m_after_their_message_a_standard_response_is_allowed(workspace, platform):
    convo = _conversation(workspace, platform)
    now = convo.last_inbound_at + timedelta(hours=23, minutes=59)
    rule = reply_rule(convo, now=now)
    assert rule.allowed
    assert (rule.messaging_type, rule.tag) == ("RESPONSE", "")
    assert rule.closes_at == convo.last_inbound_at + timedelta(hours=24)


@META
def test_24h01m_after_their_message_only_a_human_agent_reply_is_allowed(workspace, platform):
    convo = _conversation(workspace, platform)
    rule = reply_rule(convo, now=convo.last_inbound_at + timedelta(hours=24, minutes=1))
    assert rule.allowed
    assert (rule.messaging_type, rule.tag) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert rule.human_agent
    assert "human agent" in rule.reason
    assert rule.closes_at == convo.last_inbound_at + timedelta(days=7)


@META
def test_6d23h_after_their_message_the_human_agent_tag_still_applies(workspace, platform):
    convo = _conversation(workspace, platform)
    rule = reply_rule(convo, now=convo.last_inbound_at + timedelta(days=6, hours=23))
    assert rule.allowed
    assert (rule.messaging_type, rule.tag) == ("MESSAGE_TAG", "HUMAN_AGENT")


@META
def test_7d01m_after_their_message_replies_are_refused_with_the_reason(workspace, platform):
    convo = _conversation(workspace, platform)
    rule = reply_rule(convo, now=convo.last_inbound_at + timedelta(days=7, minutes=1))
    assert not rule.allowed
    assert "More than 7 days since their last message" in rule.reason


@META
def test_reply_after_seven_days_is_refused_and_nothing_stored(workspace, owner, platform):
    convo = _conversation(workspace, platform, inbound_ago=timedelta(days=7, minutes=1))
    with pytest.raises(UserFacingError, match="More than 7 days"):
        replies.create_reply(convo, owner.user, "Sorry for the wait!", typed_by_person=True)
    assert not _outbound().exists()


def test_conversation_page_explains_why_replies_are_off(client, workspace, owner):
    convo = _conversation(workspace, "facebook", inbound_ago=timedelta(days=8))
    client.force_login(owner.user)
    page = client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    assert "Replies are off here." in page.content.decode()
    assert "More than 7 days since their last message" in page.content.decode()
    assert b'action="/w/acme/inbox/c/%d/reply/"' % convo.pk not in page.content


@pytest.mark.parametrize(
    ("platform", "kind"),
    [
        ("facebook", "comment"),
        ("instagram", "comment"),
        ("x", "message"),
        ("x", "comment"),
        ("youtube", "comment"),
    ],
)
def test_comments_and_x_direct_messages_have_no_window(workspace, owner, platform, kind):
    convo = _conversation(workspace, platform, kind, inbound_ago=timedelta(days=30))
    rule = reply_rule(convo)
    assert rule.allowed
    assert (rule.messaging_type, rule.tag, rule.closes_at) == ("", "", None)
    message = replies.create_reply(convo, owner.user, "Thanks!", typed_by_person=False)
    assert message.status == Message.Status.SENDING


@pytest.mark.parametrize(("platform", "kind", "limit"), LIMITS)
def test_reply_over_the_platform_limit_is_refused_and_nothing_stored(
    workspace, owner, platform, kind, limit
):
    convo = _conversation(workspace, platform, kind)
    with pytest.raises(UserFacingError, match=f"at most {limit:,} characters"):
        replies.create_reply(convo, owner.user, "a" * (limit + 1), typed_by_person=True)
    assert not _outbound().exists()
    # Exactly the limit is fine.
    replies.create_reply(convo, owner.user, "a" * limit, typed_by_person=True)
    assert _outbound().count() == 1


def test_too_long_x_reply_comes_back_on_the_page_with_a_clear_message(client, workspace, owner):
    convo = _conversation(workspace, "x", "comment")
    client.force_login(owner.user)
    text = "b" * 281
    response = client.post(reverse("inbox_reply", args=["acme", convo.pk]), {"text": text})
    assert response.status_code == 400
    assert "Replies here can be at most 280 characters (this one has 281)." in _flash(response)
    assert text in response.content.decode()  # the typed reply is not lost
    assert not _outbound().exists()


@META
def test_human_agent_reply_without_the_typed_it_myself_confirmation_is_refused(
    client, workspace, owner, platform
):
    convo = _conversation(workspace, platform, inbound_ago=timedelta(hours=30))
    client.force_login(owner.user)
    url = reverse("inbox_reply", args=["acme", convo.pk])

    response = client.post(url, {"text": "Here is your refund."})

    assert response.status_code == 400
    assert any("typed this reply yourself" in m for m in _flash(response))
    assert not _outbound().exists()
    # Confirmed, the same reply is queued with the tag.
    response = client.post(url, {"text": "Here is your refund.", "typed_by_person": "1"})
    assert response.status_code == 302
    message = _outbound().get()
    assert (message.messaging_type, message.tag) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_empty_reply_is_refused(workspace, owner):
    convo = _conversation(workspace, "facebook")
    with pytest.raises(UserFacingError, match="Type a reply first"):
        replies.create_reply(convo, owner.user, "   ", typed_by_person=True)
    assert not _outbound().exists()


# --- real sends through the emulator --------------------------------------------------------


def _customer_writes(client, emulator, platform, account, text, kind="message", **extra):
    """The emulator builds the platform's webhook for a customer's message; we POST it to our
    endpoint signed as the platform signs it, then run the processing task's function."""
    from inbox import deliveries
    from inbox.models import WebhookDelivery

    payload = {
        "platform": platform,
        "kind": kind,
        "account_id": account.external_id,
        "from": {"id": extra.pop("sender_id", "900001"), "name": "Ana Lima"},
        "text": text,
        "deliver": False,
        **extra,
    }
    event = emulator.control("POST", "inbound", payload)
    body = json.dumps(event["webhook"], separators=(",", ":"), ensure_ascii=True).encode()
    if platform == "meta":
        secret = settings.PLATFORM_CREDENTIALS["meta"][1]
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": f"sha256={digest}"}
    else:
        import base64

        raw = hmac.new(settings.X_CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()
        headers = {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(raw).decode()}
    response = client.post(
        f"/webhooks/{platform}/", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    for pk in list(WebhookDelivery.objects.values_list("pk", flat=True)):
        deliveries.process(pk)
    return event


def _post_of(emulator, network, account, text="An earlier post"):
    return emulator.control(
        "POST", "posts", {"network": network, "account_id": account.external_id, "text": text}
    )["id"]


def _reply(client, convo, text, **extra):
    response = client.post(reverse("inbox_reply", args=["acme", convo.pk]), {"text": text, **extra})
    assert response.status_code == 302, _flash(response)
    return _outbound().filter(conversation=convo).latest("pk")


def _sent(emulator, platform=None):
    return emulator.control("GET", f"replies?platform={platform}" if platform else "replies")


@META
def test_standard_reply_reaches_meta_as_a_response(emulator, accounts, client, platform):
    account = accounts[platform]
    _customer_writes(client, emulator, "meta", account, "Is the shop open on Sunday?")
    convo = Conversation.objects.get(account=account)

    message = _reply(client, convo, "Yes, 9 to 5.")

    assert replies.send(message.pk) == "sent"
    sent = _sent(emulator, platform)
    assert len(sent) == 1
    assert sent[0]["kind"] == "message"
    assert (sent[0]["text"], sent[0]["recipient"]) == ("Yes, 9 to 5.", "900001")
    assert (sent[0]["messaging_type"], sent[0]["tag"]) == ("RESPONSE", None)
    message.refresh_from_db()
    assert (message.status, message.external_id) == (Message.Status.SENT, sent[0]["id"])


def test_reply_30_hours_later_goes_with_the_human_agent_tag(emulator, accounts, client):
    account = accounts["facebook"]
    _customer_writes(client, emulator, "meta", account, "Where is my order?")
    convo = Conversation.objects.get(account=account)
    # Thirty hours pass, for us and for Meta.
    earlier = convo.last_inbound_at - timedelta(hours=30)
    Conversation.objects.filter(pk=convo.pk).update(last_inbound_at=earlier)
    Message.objects.filter(conversation=convo).update(sent_at=earlier)
    emulator.control("POST", "clock", {"advance": 30 * 3600})

    message = _reply(client, convo, "It left today, sorry!", typed_by_person="1")

    assert replies.send(message.pk) == "sent"
    sent = _sent(emulator, "facebook")
    assert [(s["messaging_type"], s["tag"]) for s in sent] == [("MESSAGE_TAG", "HUMAN_AGENT")]
    page = client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    assert "Sent · human agent tag" in page.content.decode()


def test_reply_to_a_facebook_comment_answers_the_comment(emulator, accounts, client):
    page = accounts["facebook"]
    post_id = _post_of(emulator, "facebook", page)
    event = _customer_writes(
        client, emulator, "meta", page, "Love it!", kind="comment", post_id=post_id
    )
    convo = Conversation.objects.get(account=page, kind="comment")
    assert convo.external_post_id == post_id

    assert replies.send(_reply(client, convo, "Thank you!").pk) == "sent"

    sent = _sent(emulator, "facebook")
    assert [(s["kind"], s["in_reply_to"], s["text"]) for s in sent] == [
        ("comment_reply", event["id"], "Thank you!")
    ]


def test_reply_to_an_instagram_comment_answers_the_comment(emulator, accounts, client):
    account = accounts["instagram"]
    post_id = _post_of(emulator, "instagram", account)
    event = _customer_writes(
        client, emulator, "meta", account, "Which beans?", kind="comment", post_id=post_id
    )
    convo = Conversation.objects.get(account=account, kind="comment")

    assert replies.send(_reply(client, convo, "Ethiopian, this week.").pk) == "sent"

    sent = _sent(emulator, "instagram")
    assert [(s["kind"], s["in_reply_to"]) for s in sent] == [("comment_reply", event["id"])]


def test_reply_to_an_x_direct_message_is_a_dm(emulator, accounts, client):
    account = accounts["x"]
    _customer_writes(client, emulator, "x", account, "DM: any discounts?", sender_id="42")
    convo = Conversation.objects.get(account=account, kind="message")

    assert replies.send(_reply(client, convo, "10% with code HELLO").pk) == "sent"

    sent = _sent(emulator, "x")
    assert [(s["kind"], s["recipient"], s["text"]) for s in sent] == [
        ("message", "42", "10% with code HELLO")
    ]
    assert "messaging_type" not in sent[0]


def test_reply_to_an_x_reply_is_a_post_in_reply_to_it(emulator, accounts, client):
    account = accounts["x"]
    post_id = _post_of(emulator, "x", account, "Our new blend is out")
    event = _customer_writes(
        client, emulator, "x", account, "@democo tastes great", kind="comment", post_id=post_id
    )
    convo = Conversation.objects.get(account=account, kind="comment")

    assert replies.send(_reply(client, convo, "Glad you like it!").pk) == "sent"

    sent = _sent(emulator, "x")
    assert [(s["kind"], s["in_reply_to"], s["text"]) for s in sent] == [
        ("reply_post", event["id"], "Glad you like it!")
    ]
    tweets = emulator.requests("x", "x.tweets")
    assert tweets[-1]["json"]["reply"] == {"in_reply_to_tweet_id": event["id"]}


def test_a_reply_answers_the_post_the_person_saw_even_if_another_arrives_before_it_goes(
    emulator, accounts, client
):
    account = accounts["x"]
    post_id = _post_of(emulator, "x", account, "Our new blend is out")
    _customer_writes(
        client, emulator, "x", account, "@democo tastes great", "comment", post_id=post_id
    )
    convo = Conversation.objects.get(account=account, kind="comment")
    assert replies.send(_reply(client, convo, "Thank you!").pk) == "sent"
    ours = _outbound().get().external_id
    seen = _customer_writes(
        client, emulator, "x", account, "@democo and the decaf?", "comment", post_id=ours
    )
    queued = _reply(client, convo, "Decaf comes next month.")
    # Another post lands in the thread between "Send" and the task.
    later = _customer_writes(
        client, emulator, "x", account, "@democo also, opening hours?", "comment", post_id=ours
    )
    assert convo.messages.filter(external_id=later["id"]).exists()

    assert replies.send(queued.pk) == "sent"

    [sent] = [s for s in _sent(emulator, "x") if s["text"] == "Decaf comes next month."]
    assert sent["in_reply_to"] == seen["id"]


def test_reply_to_a_youtube_comment_answers_the_thread(emulator, accounts, client):
    channel = accounts["youtube"]
    video_id = _post_of(emulator, "youtube", channel, "How we roast")
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "google",
            "kind": "comment",
            "account_id": channel.external_id,
            "from": {"id": "UCviewer", "name": "Viewer"},
            "text": "What temperature?",
            "post_id": video_id,
        },
    )
    assert polling.poll(channel) == 1
    convo = Conversation.objects.get(account=channel)

    assert replies.send(_reply(client, convo, "About 220 °C.").pk) == "sent"

    sent = _sent(emulator, "youtube")
    assert [(s["kind"], s["in_reply_to"], s["text"]) for s in sent] == [
        ("comment_reply", event["id"], "About 220 °C.")
    ]


# --- failures and retries -------------------------------------------------------------------


@pytest.fixture
def facebook_thread(emulator, accounts, client):
    """A Messenger conversation with a customer who just wrote."""
    _customer_writes(client, emulator, "meta", accounts["facebook"], "Hello?")
    return Conversation.objects.get(account=accounts["facebook"])


def test_platform_error_marks_the_reply_failed_with_the_reason_on_the_page(
    emulator, client, facebook_thread
):
    emulator.fail_next("meta", "meta.messages", "server")
    message = _reply(client, facebook_thread, "Hi there")

    assert replies.send(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    # Meta's own words (the emulator's code 2 answer) reach the team.
    assert "An unexpected error has occurred. Please retry your request later." in message.error
    assert _sent(emulator, "facebook") == []
    page = client.get(reverse("inbox_conversation", args=["acme", facebook_thread.pk]))
    html = page.content.decode()
    assert f"Failed: {message.error}" in html
    assert reverse("inbox_retry", args=["acme", message.pk]) in html


def test_retry_after_a_failure_sends_exactly_once(emulator, client, facebook_thread):
    emulator.fail_next("meta", "meta.messages", "server")
    message = _reply(client, facebook_thread, "Hi there")
    replies.send(message.pk)
    retry_url = reverse("inbox_retry", args=["acme", message.pk])

    first = client.post(retry_url)
    second = client.post(retry_url)  # a double click

    assert first.status_code == second.status_code == 302
    assert "This reply is not waiting for a retry." not in _flash(first)
    assert "This reply is not waiting for a retry." in _flash(second)
    # The task runs twice too (a redelivered task): one send.
    assert [replies.send(message.pk), replies.send(message.pk)] == ["sent", "skipped"]
    sent = _sent(emulator, "facebook")
    assert [s["text"] for s in sent] == ["Hi there"]
    message.refresh_from_db()
    assert (message.status, message.error, message.attempts) == ("sent", "", 2)
    assert _outbound().count() == 1


def test_sending_the_same_reply_twice_sends_it_once(emulator, client, facebook_thread):
    message = _reply(client, facebook_thread, "Only once")
    assert [replies.send(message.pk), replies.send(message.pk)] == ["sent", "skipped"]
    assert len(_sent(emulator, "facebook")) == 1


def test_retry_of_a_sent_reply_is_refused(emulator, client, facebook_thread):
    message = _reply(client, facebook_thread, "Delivered")
    replies.send(message.pk)

    response = client.post(reverse("inbox_retry", args=["acme", message.pk]))

    assert "This reply is not waiting for a retry." in _flash(response)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert replies.send(message.pk) == "skipped"
    assert len(_sent(emulator, "facebook")) == 1


def test_auth_error_marks_the_account_for_reconnecting_and_the_reply_box_says_so(
    emulator, client, facebook_thread
):
    emulator.fail_next("meta", "meta.messages", "auth")
    message = _reply(client, facebook_thread, "Hi there")

    assert replies.send(message.pk) == "failed"

    account = ConnectedAccount.objects.get(pk=facebook_thread.account_id)
    assert account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    page = client.get(reverse("inbox_conversation", args=["acme", facebook_thread.pk]))
    html = page.content.decode()
    assert "Replies are off here." in html
    assert f"{account.display_name} needs reconnecting before you can reply." in html
    # Retrying is refused too until the account is reconnected.
    response = client.post(reverse("inbox_retry", args=["acme", message.pk]))
    assert any("needs reconnecting" in m for m in _flash(response))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert _sent(emulator, "facebook") == []


def test_rate_limited_reply_says_when_to_try_again(emulator, accounts, client):
    account = accounts["x"]
    _customer_writes(client, emulator, "x", account, "Hi", sender_id="42")
    convo = Conversation.objects.get(account=account)
    emulator.fail_next("x", "x.dm_send", "rate_limit", reset_after=900)
    message = _reply(client, convo, "Hello!")

    assert replies.send(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "Try again after" in message.error
    assert ConnectedAccount.objects.get(pk=account.pk).status == ConnectedAccount.Status.ACTIVE
    # Once the limit has passed, a retry goes through.
    client.post(reverse("inbox_retry", args=["acme", message.pk]))
    assert replies.send(message.pk) == "sent"
    assert [s["text"] for s in _sent(emulator, "x")] == ["Hello!"]
