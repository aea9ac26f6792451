"""The emulated X inbox: the CRC challenge, signed Account Activity deliveries of DMs and
replies, redelivery, DM sends and reply posts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
import requests

from tests.emulator.publishing import X_SCOPES, bearer, x_token
from tests.emulator.test_inbox_meta import Receiver

DEMOCO = "1500000000000000001"
SECRET = "x-consumer-secret"
CUSTOMER = {"id": "2244994945", "name": "Casey Customer"}
DM_SCOPES = X_SCOPES + " dm.read dm.write"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Mixora's webhook endpoint, answering CRC with the X consumer secret."""
    server = Receiver()
    server.secret = SECRET
    yield server
    server.close()


def subscribe(emulator, receiver: Receiver, secret: str = SECRET) -> dict:
    payload = {"platform": "x", "url": receiver.url, "secret": secret}
    return emulator.control("POST", "webhooks/subscribe", payload)


def inbound(emulator, **payload: object) -> dict:
    body = {"platform": "x", "kind": "message", "account_id": DEMOCO, "from": CUSTOMER}
    return emulator.control("POST", "inbound", {**body, **payload})


def signature_ok(headers: dict[str, str], raw: bytes) -> bool:
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()
    expected = "sha256=" + base64.b64encode(digest).decode()
    return hmac.compare_digest(headers["x-twitter-webhooks-signature"], expected)


def test_crc_is_checked_with_the_consumer_secret(emulator, receiver):
    assert subscribe(emulator, receiver)["verified"] is True
    receiver.secret = "another-secret"
    failed = subscribe(emulator, receiver)
    assert failed["verified"] is False
    assert "response_token" in failed["reason"]
    inbound(emulator, text="Hello?")
    assert receiver.deliveries == []


def test_a_dm_is_delivered_signed_and_can_be_redelivered(emulator, receiver):
    subscribe(emulator, receiver)
    event = inbound(emulator, text="Where is my order?")
    headers, raw = receiver.deliveries[0]
    assert signature_ok(headers, raw)
    body = json.loads(raw)
    assert body["for_user_id"] == DEMOCO
    dm = body["direct_message_events"][0]
    assert dm["id"] == event["id"]
    assert dm["type"] == "message_create"
    assert dm["message_create"]["sender_id"] == CUSTOMER["id"]
    assert dm["message_create"]["message_data"]["text"] == "Where is my order?"
    assert body["users"][CUSTOMER["id"]]["name"] == CUSTOMER["name"]
    emulator.control("POST", "inbound", {"platform": "x", "redeliver": event["id"]})
    assert receiver.deliveries[1][1] == raw
    assert signature_ok(*receiver.deliveries[1])


def test_out_of_order_dms(emulator, receiver):
    subscribe(emulator, receiver)
    first = inbound(emulator, text="one", deliver=False)
    emulator.control("POST", "clock", {"advance": 2})
    inbound(emulator, text="two")
    emulator.control("POST", "inbound", {"platform": "x", "redeliver": first["id"]})
    events = [b["direct_message_events"][0] for b in receiver.bodies()]
    assert [e["message_create"]["message_data"]["text"] for e in events] == ["two", "one"]
    assert int(events[0]["created_timestamp"]) > int(events[1]["created_timestamp"])


def test_a_reply_arrives_as_a_tweet_create_event_and_can_be_answered(emulator, receiver):
    subscribe(emulator, receiver)
    token = x_token(emulator, DM_SCOPES)
    post = requests.post(
        f"{emulator.url}/x-api/2/tweets",
        json={"text": "New menu"},
        headers=bearer(token),
        timeout=5,
    ).json()["data"]["id"]
    event = inbound(emulator, kind="comment", post_id=post, text="@democo love it")
    tweet = receiver.bodies()[0]["tweet_create_events"][0]
    assert signature_ok(*receiver.deliveries[0])
    assert tweet["id_str"] == event["id"]
    assert tweet["in_reply_to_status_id_str"] == post
    answer = requests.post(
        f"{emulator.url}/x-api/2/tweets",
        json={"text": "Thanks!", "reply": {"in_reply_to_tweet_id": event["id"]}},
        headers=bearer(token),
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    sent = emulator.control("GET", "replies?platform=x")
    assert [(r["kind"], r["text"], r["in_reply_to"]) for r in sent] == [
        ("reply_post", "Thanks!", event["id"])
    ]


def test_dm_send_is_recorded_and_needs_a_conversation(emulator):
    token = x_token(emulator, DM_SCOPES)
    url = f"{emulator.url}/x-api/2/dm_conversations/with/{CUSTOMER['id']}/messages"
    stranger = requests.post(url, json={"text": "Hi"}, headers=bearer(token), timeout=5)
    assert stranger.status_code == 403
    inbound(emulator, text="Hi there")
    sent = requests.post(url, json={"text": "How can we help?"}, headers=bearer(token), timeout=5)
    assert sent.status_code == 201, sent.text
    data = sent.json()["data"]
    assert data["dm_conversation_id"] == f"{CUSTOMER['id']}-{DEMOCO}"
    assert sent.headers["x-rate-limit-limit"] == "15"
    replies = emulator.control("GET", "replies?platform=x")
    assert [(r["kind"], r["text"], r["recipient"], r["id"]) for r in replies] == [
        ("message", "How can we help?", CUSTOMER["id"], data["dm_event_id"])
    ]
    empty = requests.post(url, json={"text": ""}, headers=bearer(token), timeout=5)
    assert empty.status_code == 400
    no_scope = requests.post(url, json={"text": "Hi"}, headers=bearer(x_token(emulator)), timeout=5)
    assert no_scope.status_code == 403
