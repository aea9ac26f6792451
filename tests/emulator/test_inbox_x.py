"""The emulated X inbox: the app-only token, the v2 webhook API and its CRC, X Activity API
subscriptions, signed X Activity deliveries of DMs, replies and mentions (only to subscribed
users), redelivery, DM sends and reply posts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
import requests

from tests.emulator.publishing import X_SCOPES, bearer, behave, x_token
from tests.emulator.test_inbox_meta import Receiver

DEMOCO = "1500000000000000001"
KEY, SECRET = "x-consumer-key", "x-consumer-secret"
CUSTOMER = {"id": "2244994945", "name": "Casey Customer"}
DM_SCOPES = X_SCOPES + " dm.read dm.write"
API = "/x-api/2"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Mixora's webhook endpoint, answering CRC with the X consumer secret."""
    server = Receiver()
    server.secret = SECRET
    yield server
    server.close()


def app_token(emulator, key: str = KEY, secret: str = SECRET, **form: str) -> requests.Response:
    return requests.post(
        f"{emulator.url}/x-api/oauth2/token",
        data=form or {"grant_type": "client_credentials"},
        auth=(key, secret),
        timeout=5,
    )


@pytest.fixture
def app(emulator) -> str:
    return app_token(emulator).json()["access_token"]


def call(emulator, method: str, path: str, token: str, **kwargs: object) -> requests.Response:
    return requests.request(
        method, f"{emulator.url}{API}/{path}", headers=bearer(token), timeout=15, **kwargs
    )


def register(emulator, app: str, receiver: Receiver) -> dict:
    response = call(emulator, "POST", "webhooks", app, json={"url": receiver.url})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def subscribe(emulator, token: str, event_type: str, user: str = DEMOCO, **body: str):
    payload = {"event_type": event_type, "filter": {"user_id": user}, **body}
    return call(emulator, "POST", "activity/subscriptions", token, json=payload)


@pytest.fixture
def wired(emulator, app, receiver) -> dict:
    """A registered webhook, and the seeded user subscribed to its inbox events."""
    hook = register(emulator, app, receiver)
    user = x_token(emulator, DM_SCOPES)
    for event in ("dm.received", "post.mention.create", "post.reply.create"):
        assert subscribe(emulator, user, event, webhook_id=hook["id"]).status_code == 200
    return hook


def inbound(emulator, **payload: object) -> dict:
    body = {"platform": "x", "kind": "message", "account_id": DEMOCO, "from": CUSTOMER}
    return emulator.control("POST", "inbound", {**body, **payload})


def signature_ok(headers: dict[str, str], raw: bytes) -> bool:
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()
    expected = "sha256=" + base64.b64encode(digest).decode()
    return hmac.compare_digest(headers["x-twitter-webhooks-signature"], expected)


# --- the app-only token and the webhook API ---------------------------------------------------


def test_the_app_token_needs_the_consumer_pair_and_stays_the_same(emulator):
    first, again = app_token(emulator), app_token(emulator)
    assert first.json()["token_type"] == "bearer"
    assert first.json()["access_token"] == again.json()["access_token"]
    for refused in (
        app_token(emulator, grant_type="password"),
        app_token(emulator, secret="another-secret"),
    ):
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["code"] == 99


def test_registration_runs_the_crc_and_is_refused_when_it_fails(emulator, app, receiver):
    receiver.secret = "another-secret"
    failed = call(emulator, "POST", "webhooks", app, json={"url": receiver.url})
    assert failed.status_code == 400
    assert failed.json()["detail"].startswith("CrcValidationFailed")
    assert call(emulator, "GET", "webhooks", app).json() == {
        "data": [],
        "meta": {"result_count": 0},
    }

    receiver.secret = SECRET
    hook = register(emulator, app, receiver)
    assert (hook["url"], hook["valid"]) == (receiver.url, True)
    listed = call(emulator, "GET", "webhooks", app).json()
    assert listed == {"data": [hook], "meta": {"result_count": 1}}
    again = call(emulator, "POST", "webhooks", app, json={"url": receiver.url})
    assert again.status_code == 400
    assert again.json()["detail"].startswith("DuplicateUrlFailed")


def test_put_reruns_the_crc_and_an_invalid_webhook_delivers_nothing(emulator, app, wired, receiver):
    receiver.secret = "rotated"
    answer = call(emulator, "PUT", f"webhooks/{wired['id']}", app)
    assert answer.json() == {"data": {"valid": False}}
    inbound(emulator, text="Anyone there?")
    assert receiver.deliveries == []

    receiver.secret = SECRET
    assert call(emulator, "PUT", f"webhooks/{wired['id']}", app).json()["data"]["valid"] is True
    inbound(emulator, text="Hello again")
    assert len(receiver.deliveries) == 1
    deleted = call(emulator, "DELETE", f"webhooks/{wired['id']}", app)
    assert deleted.json() == {"data": {"deleted": True}}
    inbound(emulator, text="And now?")
    assert len(receiver.deliveries) == 1


@pytest.mark.parametrize(
    "url",
    ["http://mixora.example/webhooks/x/", "https://mixora.example:8443/webhooks/x/", "x" * 201],
    ids=["http", "port", "too-long"],
)
def test_webhook_urls_must_be_https_without_a_port(emulator, app, url):
    response = call(emulator, "POST", "webhooks", app, json={"url": url})
    assert response.status_code == 400


def test_webhooks_need_the_app_token(emulator, receiver):
    user = x_token(emulator, DM_SCOPES)
    for token in (user, "nonsense"):
        response = call(emulator, "POST", "webhooks", token, json={"url": receiver.url})
        assert response.status_code == 401


# --- subscriptions ---------------------------------------------------------------------------


def test_private_events_need_the_users_own_token_with_the_scope(emulator, app):
    assert subscribe(emulator, app, "dm.received").status_code == 403
    no_dm = x_token(emulator)  # tweet.read, no dm.read
    assert subscribe(emulator, no_dm, "dm.received").status_code == 403
    assert subscribe(emulator, no_dm, "post.mention.create", user="42").status_code == 403
    created = subscribe(emulator, no_dm, "post.mention.create", tag="inbox")
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert {k: data[k] for k in ("event_type", "filter", "tag")} == {
        "event_type": "post.mention.create",
        "filter": {"user_id": DEMOCO},
        "tag": "inbox",
    }
    assert "webhook_id" not in data
    duplicate = subscribe(emulator, no_dm, "post.mention.create")
    assert duplicate.status_code == 400
    # A public event takes the app token, for any user.
    assert subscribe(emulator, app, "post.create", user="42").status_code == 200
    assert subscribe(emulator, app, "no.such.event").status_code == 400


def test_list_update_and_delete_subscriptions(emulator, app, receiver):
    hook = register(emulator, app, receiver)
    user = x_token(emulator, DM_SCOPES)
    sub = subscribe(emulator, user, "dm.received").json()["data"]
    listed = call(emulator, "GET", "activity/subscriptions", app).json()
    assert [s["subscription_id"] for s in listed["data"]] == [sub["subscription_id"]]
    assert listed["meta"] == {"total_subscriptions": 1}
    path = f"activity/subscriptions/{sub['subscription_id']}"
    refused = call(emulator, "PUT", path, app, json={"event_type": "dm.sent"})
    assert refused.status_code == 400
    assert call(emulator, "PUT", path, user, json={"webhook_id": hook["id"]}).status_code == 401
    updated = call(emulator, "PUT", path, app, json={"webhook_id": hook["id"]}).json()
    assert updated["data"]["webhook_id"] == hook["id"]
    assert call(emulator, "DELETE", path, app).json() == {
        "data": {"deleted": True},
        "meta": {"total_subscriptions": 0},
    }
    assert call(emulator, "DELETE", path, app).status_code == 404


def test_pages_of_subscriptions(emulator, app):
    for user in range(5):
        assert subscribe(emulator, app, "post.create", user=str(user)).status_code == 200
    first = call(emulator, "GET", "activity/subscriptions", app, params={"max_results": 3}).json()
    assert len(first["data"]) == 3
    params = {"max_results": 3, "pagination_token": first["meta"]["next_token"]}
    rest = call(emulator, "GET", "activity/subscriptions", app, params=params).json()
    assert len(rest["data"]) == 2
    assert "next_token" not in rest["meta"]
    bad = call(emulator, "GET", "activity/subscriptions", app, params={"max_results": 0})
    assert bad.status_code == 400


def test_the_plan_caps_subscriptions(emulator, app):
    session = requests.Session()
    session.headers.update(bearer(app))
    url = f"{emulator.url}{API}/activity/subscriptions"
    for user in range(1500):
        body = {"event_type": "post.create", "filter": {"user_id": str(user)}}
        assert session.post(url, json=body, timeout=5).status_code == 200
    over = subscribe(emulator, app, "post.create", user="1500")
    assert over.status_code == 400
    assert over.json()["detail"].startswith("SubscriptionLimitExceeded")
    behave(emulator, "x", api_plan="enterprise")
    assert subscribe(emulator, app, "post.create", user="1500").status_code == 200


# --- deliveries ------------------------------------------------------------------------------


def test_an_unsubscribed_user_gets_nothing(emulator, app, receiver):
    hook = register(emulator, app, receiver)
    user = x_token(emulator, DM_SCOPES)
    event = inbound(emulator, text="Hello?")
    assert receiver.deliveries == []
    assert "not subscribed to dm.received" in event["deliveries"][0]["error"]
    # A subscription without webhook_id streams only; pointing it at the webhook delivers.
    sub = subscribe(emulator, user, "dm.received").json()["data"]
    inbound(emulator, text="Still there?")
    assert receiver.deliveries == []
    path = f"activity/subscriptions/{sub['subscription_id']}"
    call(emulator, "PUT", path, app, json={"webhook_id": hook["id"]})
    inbound(emulator, text="Third try")
    assert len(receiver.deliveries) == 1
    call(emulator, "DELETE", path, app)
    inbound(emulator, text="Gone?")
    assert len(receiver.deliveries) == 1


def test_a_dm_is_delivered_signed_and_can_be_redelivered(emulator, wired, receiver):
    event = inbound(emulator, text="Where is my order?")
    headers, raw = receiver.deliveries[0]
    assert signature_ok(headers, raw)
    data = json.loads(raw)["data"]
    assert (data["event_type"], data["filter"]) == ("dm.received", {"user_id": DEMOCO})
    assert data["event_uuid"]
    dm = data["payload"]["direct_message_events"][0]
    assert dm["id"] == event["id"]
    assert dm["type"] == "message_create"
    assert dm["message_create"]["sender_id"] == CUSTOMER["id"]
    assert dm["message_create"]["message_data"]["text"] == "Where is my order?"
    assert data["payload"]["users"][CUSTOMER["id"]]["data"]["name"] == CUSTOMER["name"]
    emulator.control("POST", "inbound", {"platform": "x", "redeliver": event["id"]})
    assert receiver.deliveries[1][1] == raw
    assert signature_ok(*receiver.deliveries[1])


def test_out_of_order_dms(emulator, wired, receiver):
    first = inbound(emulator, text="one", deliver=False)
    emulator.control("POST", "clock", {"advance": 2})
    inbound(emulator, text="two")
    emulator.control("POST", "inbound", {"platform": "x", "redeliver": first["id"]})
    events = [b["data"]["payload"]["direct_message_events"][0] for b in receiver.bodies()]
    assert [e["message_create"]["message_data"]["text"] for e in events] == ["two", "one"]
    assert int(events[0]["created_timestamp"]) > int(events[1]["created_timestamp"])


def test_a_reply_arrives_as_post_reply_create_and_can_be_answered(emulator, wired, receiver):
    token = x_token(emulator, DM_SCOPES)
    post = call(emulator, "POST", "tweets", token, json={"text": "New menu"}).json()["data"]["id"]
    event = inbound(emulator, kind="comment", post_id=post, text="love it")
    data = receiver.bodies()[0]["data"]
    assert signature_ok(*receiver.deliveries[0])
    assert data["event_type"] == "post.reply.create"
    reply = data["payload"]
    assert (reply["id"], reply["author_id"], reply["text"]) == (
        event["id"],
        CUSTOMER["id"],
        "@democo love it",
    )
    assert reply["display_text_range"] == [8, 15]  # after the leading @democo
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": post}]
    assert reply["entities"]["mentions"][0]["id"] == DEMOCO
    assert data["includes"]["users"][0]["id"] == CUSTOMER["id"]
    answer = call(
        emulator,
        "POST",
        "tweets",
        token,
        json={"text": "Thanks!", "reply": {"in_reply_to_tweet_id": event["id"]}},
    )
    assert answer.status_code == 201, answer.text
    sent = emulator.control("GET", "replies?platform=x")
    assert [(r["kind"], r["text"], r["in_reply_to"]) for r in sent] == [
        ("reply_post", "Thanks!", event["id"])
    ]


def test_a_mention_names_the_account_and_a_long_one_has_its_note_tweet(emulator, wired, receiver):
    inbound(emulator, kind="comment", text="Open on Sundays?")
    long_text = "Long question " + "très " * 80
    inbound(emulator, kind="comment", text=f"@democo {long_text}")
    short, long = (body["data"] for body in receiver.bodies())
    assert short["event_type"] == "post.mention.create"
    assert short["payload"]["text"] == "@democo Open on Sundays?"
    assert "referenced_tweets" not in short["payload"]
    assert long["payload"]["note_tweet"]["text"] == f"@democo {long_text}"
    assert len(long["payload"]["text"]) == 280
    assert long["payload"]["text"] == f"@democo {long_text}"[:280]


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
