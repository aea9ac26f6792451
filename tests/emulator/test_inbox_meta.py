"""The emulated Meta inbox: webhook verification, signed deliveries of Page and Instagram
messages and comments, the Send API's messaging windows and comment replies.

`Receiver` plays Mixora's webhook endpoint: it answers the Meta and X handshakes and records
every delivery; the tests check the signatures with the real algorithms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.emulator.publishing import META_SCOPES, meta_page_tokens, meta_user_token

COFFEE, BAKERY = "20000000000001", "20000000000002"
COFFEE_IG = "17841400000000001"
SECRET = "meta-app-secret"
VERIFY_TOKEN = "mixora-verify"
INBOX_SCOPES = (
    META_SCOPES
    + ",pages_messaging,pages_manage_engagement,instagram_manage_comments,pages_manage_metadata"
)
CUSTOMER = {"id": "6100000000000042", "name": "Casey Customer"}
HOUR, DAY = 3600, 86400


class Receiver:
    """A loopback HTTP server standing in for Mixora's webhook URL."""

    def __init__(self) -> None:
        self.secret, self.verify_token = SECRET, VERIFY_TOKEN
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "crc_token" in query:
                    digest = hmac.new(
                        receiver.secret.encode(), query["crc_token"].encode(), hashlib.sha256
                    ).digest()
                    token = "sha256=" + base64.b64encode(digest).decode()
                    self._answer(200, json.dumps({"response_token": token}).encode())
                elif (
                    query.get("hub.mode") == "subscribe"
                    and query.get("hub.verify_token") == receiver.verify_token
                ):
                    self._answer(200, query["hub.challenge"].encode())
                else:
                    self._answer(403, b"")

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.deliveries.append((headers, body))
                self._answer(receiver.status, b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/incoming"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.deliveries]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def subscribe(emulator, receiver: Receiver, **changes: str) -> requests.Response:
    payload = {
        "platform": "meta",
        "url": receiver.url,
        "verify_token": VERIFY_TOKEN,
        "secret": SECRET,
        **changes,
    }
    return requests.post(f"{emulator.url}/_control/webhooks/subscribe", json=payload, timeout=10)


def inbound(emulator, **payload: object) -> requests.Response:
    body = {"platform": "meta", "kind": "message", "account_id": COFFEE, "from": CUSTOMER}
    return requests.post(f"{emulator.url}/_control/inbound", json={**body, **payload}, timeout=10)


def send(emulator, token: str, text: str, **extra: object) -> requests.Response:
    body = {
        "recipient": {"id": CUSTOMER["id"]},
        "message": {"text": text},
        "messaging_type": "RESPONSE",
        **extra,
    }
    return requests.post(
        f"{emulator.url}/graph/v25.0/{COFFEE}/messages",
        json=body,
        params={"access_token": token},
        timeout=5,
    )


@pytest.fixture
def tokens(emulator) -> dict[str, str]:
    """Page tokens from a long-lived user token: they never expire, so the clock can move."""
    graph = f"{emulator.url}/graph/v25.0"
    exchange = {
        "grant_type": "fb_exchange_token",
        "client_id": "meta-app",
        "client_secret": "meta-secret",
        "fb_exchange_token": meta_user_token(emulator, INBOX_SCOPES),
    }
    long_lived = requests.get(f"{graph}/oauth/access_token", params=exchange, timeout=5).json()
    accounts = requests.get(
        f"{graph}/me/accounts",
        params={"fields": "id,access_token", "access_token": long_lived["access_token"]},
        timeout=5,
    ).json()["data"]
    return {page["id"]: page["access_token"] for page in accounts}


def install(emulator, token: str, page: str = COFFEE, **form: str) -> requests.Response:
    """Install the app on the Page: Meta sends its (and its Instagram account's) events."""
    return requests.post(
        f"{emulator.url}/graph/v25.0/{page}/subscribed_apps",
        data={"subscribed_fields": "feed,messages", "access_token": token, **form},
        timeout=5,
    )


@pytest.fixture
def installed(emulator, tokens) -> None:
    assert install(emulator, tokens[COFFEE]).json() == {"success": True}


def test_verification_echoes_the_challenge_and_a_wrong_token_fails(emulator, receiver):
    good = subscribe(emulator, receiver).json()
    assert good["verified"] is True
    assert good["status"] == 200
    bad = subscribe(emulator, receiver, verify_token="not-ours").json()
    assert bad["verified"] is False
    assert bad["status"] == 403
    # An unverified subscription gets no deliveries.
    event = inbound(emulator, text="Anyone there?").json()
    assert receiver.deliveries == []
    assert event["deliveries"][0]["status"] is None


def test_a_page_message_is_delivered_signed(emulator, receiver, installed):
    subscribe(emulator, receiver)
    event = inbound(emulator, text="Do you have oat milk? ☕").json()
    headers, raw = receiver.deliveries[0]
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-hub-signature-256"], "sha256=" + expected)
    assert (
        headers["x-hub-signature"] == "sha1=" + hmac.new(SECRET.encode(), raw, "sha1").hexdigest()
    )
    assert b"\\u2615" in raw  # non-ASCII escaped, as Meta signs it
    body = json.loads(raw)
    assert body["object"] == "page"
    assert body["entry"][0]["id"] == COFFEE
    messaging = body["entry"][0]["messaging"][0]
    assert messaging["sender"] == {"id": CUSTOMER["id"]}
    assert messaging["message"] == {"mid": event["id"], "text": "Do you have oat milk? ☕"}
    assert event["id"].startswith("m_")
    assert event["deliveries"][0]["status"] == 200


def test_instagram_messages(emulator, receiver, installed):
    subscribe(emulator, receiver)
    inbound(emulator, account_id=COFFEE_IG, text="Hi from IG")
    assert receiver.bodies()[0]["object"] == "instagram"
    assert receiver.bodies()[0]["entry"][0]["messaging"][0]["message"]["text"] == "Hi from IG"
    no_post = inbound(emulator, account_id=COFFEE_IG, kind="comment", text="Nice", post_id="1")
    assert no_post.status_code == 400


def test_page_comments_link_to_the_post_and_replies_are_recorded(
    emulator, receiver, tokens, installed
):
    subscribe(emulator, receiver)
    post = requests.post(
        f"{emulator.url}/graph/v25.0/{COFFEE}/feed",
        data={"message": "New beans", "access_token": tokens[COFFEE]},
        timeout=5,
    ).json()["id"]
    comment = inbound(emulator, kind="comment", post_id=post, text="Which origin?").json()
    value = receiver.bodies()[0]["entry"][0]["changes"][0]
    assert value["field"] == "feed"
    assert value["value"]["item"] == "comment"
    assert value["value"]["post_id"] == post
    assert value["value"]["comment_id"] == comment["id"]
    assert comment["id"].startswith(post.split("_")[1] + "_")
    reply = requests.post(
        f"{emulator.url}/graph/v25.0/{comment['id']}/comments",
        data={"message": "Ethiopia!", "access_token": tokens[COFFEE]},
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    sent = emulator.control("GET", "replies?platform=meta")
    assert [(r["kind"], r["text"], r["in_reply_to"]) for r in sent] == [
        ("comment_reply", "Ethiopia!", comment["id"])
    ]
    wrong_page = requests.post(
        f"{emulator.url}/graph/v25.0/{comment['id']}/comments",
        data={"message": "x", "access_token": tokens[BAKERY]},
        timeout=5,
    )
    assert wrong_page.json()["error"]["code"] == 100


def test_redelivery_sends_the_same_event_again(emulator, receiver, installed):
    subscribe(emulator, receiver)
    event = inbound(emulator, text="Hello").json()
    again = emulator.control("POST", "inbound", {"platform": "meta", "redeliver": event["id"]})
    assert len(again["deliveries"]) == 2
    assert receiver.deliveries[0][1] == receiver.deliveries[1][1]
    assert len(emulator.control("GET", "inbound?platform=meta")) == 1


def test_out_of_order_delivery(emulator, receiver, installed):
    subscribe(emulator, receiver)
    first = inbound(emulator, text="first", deliver=False).json()
    emulator.control("POST", "clock", {"advance": 5})
    second = inbound(emulator, text="second").json()
    emulator.control("POST", "inbound", {"platform": "meta", "redeliver": first["id"]})
    texts = [b["entry"][0]["messaging"][0]["message"]["text"] for b in receiver.bodies()]
    stamps = [b["entry"][0]["messaging"][0]["timestamp"] for b in receiver.bodies()]
    assert texts == ["second", "first"]
    assert stamps[0] > stamps[1]
    assert second["deliveries"][0]["status"] == 200


def test_a_failing_endpoint_status_is_recorded(emulator, receiver, installed):
    subscribe(emulator, receiver)
    receiver.status = 500
    assert inbound(emulator, text="Hello").json()["deliveries"][0]["status"] == 500


@pytest.mark.parametrize(
    ("elapsed", "standard_ok", "human_agent_ok"),
    [
        (23 * HOUR + 59 * 60, True, True),
        (24 * HOUR + 60, False, True),
        (6 * DAY + 23 * HOUR, False, True),
        (7 * DAY + 60, False, False),
    ],
)
def test_messaging_windows(emulator, tokens, elapsed, standard_ok, human_agent_ok):
    inbound(emulator, text="Is my order ready?")
    emulator.control("POST", "clock", {"advance": elapsed})
    for ok, extra in (
        (standard_ok, {}),
        (human_agent_ok, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
    ):
        response = send(emulator, tokens[COFFEE], f"Reply {extra}", **extra)
        if ok:
            assert response.status_code == 200, response.text
            assert response.json()["recipient_id"] == CUSTOMER["id"]
        else:
            error = response.json()["error"]
            assert (response.status_code, error["code"], error["error_subcode"]) == (
                400,
                10,
                2018278,
            )


def test_send_api_records_replies_and_refuses_strangers(emulator, tokens):
    inbound(emulator, text="Hello")
    assert send(emulator, tokens[COFFEE], "Hi Casey").status_code == 200
    tagged = {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    assert send(emulator, tokens[COFFEE], "Following up", **tagged).status_code == 200
    sent = emulator.control("GET", "replies?platform=meta")
    assert [(r["text"], r["messaging_type"], r["tag"], r["recipient"]) for r in sent] == [
        ("Hi Casey", "RESPONSE", None, CUSTOMER["id"]),
        ("Following up", "MESSAGE_TAG", "HUMAN_AGENT", CUSTOMER["id"]),
    ]
    assert all(r["id"].startswith("m_") and r["sent_time"] for r in sent)
    stranger = send(emulator, tokens[BAKERY], "Hi").json()["error"]
    assert (stranger["code"], stranger["error_subcode"]) == (100, 33)  # another page's token
    other_page = requests.post(
        f"{emulator.url}/graph/v25.0/{BAKERY}/messages",
        json={
            "recipient": {"id": CUSTOMER["id"]},
            "message": {"text": "Hi"},
            "messaging_type": "RESPONSE",
        },
        params={"access_token": tokens[BAKERY]},
        timeout=5,
    ).json()["error"]
    assert (other_page["code"], other_page["error_subcode"]) == (100, 2018001)
    bad_tag = send(emulator, tokens[COFFEE], "Hi", messaging_type="MESSAGE_TAG", tag="OTHER")
    assert bad_tag.json()["error"]["code"] == 100
    no_scope = send(emulator, meta_page_tokens(emulator)[COFFEE], "Hi").json()["error"]
    assert no_scope["code"] == 230


def profile(emulator, person: str, token: str, fields: str | None = None) -> requests.Response:
    params = {"access_token": token, **({"fields": fields} if fields else {})}
    return requests.get(f"{emulator.url}/graph/v25.0/{person}", params=params, timeout=5)


def test_user_profile_of_a_messenger_sender(emulator, tokens):
    inbound(emulator, text="Hello", deliver=False)
    fields = "id,name,first_name,last_name,profile_pic"
    person = profile(emulator, CUSTOMER["id"], tokens[COFFEE], fields).json()
    assert {k: v for k, v in person.items() if k != "profile_pic"} == {
        "id": CUSTOMER["id"],
        "name": "Casey Customer",
        "first_name": "Casey",
        "last_name": "Customer",
    }
    assert person["profile_pic"].startswith(f"{emulator.url}/_avatars/")
    picture = requests.get(person["profile_pic"], timeout=5)
    assert picture.status_code == 200
    assert picture.headers["Content-Type"] == "image/png"
    # Without fields: id and name, as on the Graph.
    assert profile(emulator, CUSTOMER["id"], tokens[COFFEE]).json() == {
        "id": CUSTOMER["id"],
        "name": "Casey Customer",
    }
    # Instagram-only fields do not exist on a Messenger profile.
    wrong = profile(emulator, CUSTOMER["id"], tokens[COFFEE], "username").json()["error"]
    assert wrong["code"] == 100
    assert "nonexisting field (username)" in wrong["message"]


def test_user_profile_of_an_instagram_sender(emulator, tokens):
    robin = {"id": "7700000000000017", "name": "Robin Reel"}
    inbound(emulator, account_id=COFFEE_IG, text="Hi", deliver=False, **{"from": robin})
    person = profile(emulator, robin["id"], tokens[COFFEE], "id,name,username,profile_pic").json()
    assert (person["id"], person["name"], person["username"]) == (
        robin["id"],
        "Robin Reel",
        "robinreel",
    )
    assert requests.get(person["profile_pic"], timeout=5).status_code == 200
    wrong = profile(emulator, robin["id"], tokens[COFFEE], "first_name").json()["error"]
    assert wrong["code"] == 100


def test_a_name_of_one_word_is_all_first_name(emulator, tokens):
    cher = {"id": "5500000000000001", "name": "Cher"}
    inbound(emulator, text="Hi", deliver=False, **{"from": cher})
    person = profile(emulator, "5500000000000001", tokens[COFFEE], "first_name,last_name").json()
    assert person == {"first_name": "Cher", "last_name": ""}


def test_only_people_who_messaged_the_page_can_be_looked_up(emulator, tokens):
    inbound(emulator, text="Hello", deliver=False)
    post = requests.post(
        f"{emulator.url}/_control/posts",
        json={"network": "facebook", "account_id": COFFEE},
        timeout=5,
    ).json()
    commenter = {"id": "8800000000000088", "name": "Chris Commenter"}
    comment = {"kind": "comment", "post_id": post["id"], "deliver": False, "from": commenter}
    assert inbound(emulator, text="Nice", **comment).status_code == 201
    user_token = meta_user_token(emulator, INBOX_SCOPES)
    for person, token in (
        ("9999999999999999", tokens[COFFEE]),  # never wrote
        (commenter["id"], tokens[COFFEE]),  # commented, never messaged
        (CUSTOMER["id"], tokens[BAKERY]),  # messaged another Page
        (CUSTOMER["id"], user_token),  # not a Page token
    ):
        error = profile(emulator, person, token).json()["error"]
        assert (error["code"], error["error_subcode"]) == (100, 33), person
    # The node lookups that were there before still answer.
    assert profile(emulator, COFFEE, tokens[COFFEE]).json()["name"] == "Demo Co Coffee"
    assert profile(emulator, COFFEE_IG, tokens[COFFEE], "username").json() == {
        "username": "democo.coffee"
    }


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, raw scanlines) of a PNG, checking its signature and every chunk CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)  # 8-bit truecolour
    return width, height, zlib.decompress(chunks[b"IDAT"])


def test_image_attachments_point_at_a_png_the_emulator_serves(emulator, receiver, installed):
    subscribe(emulator, receiver)
    event = inbound(emulator, text="Is this one in stock?", attachments=[{"type": "image"}] * 2)
    assert event.status_code == 201, event.text
    message = receiver.bodies()[0]["entry"][0]["messaging"][0]["message"]
    assert message["text"] == "Is this one in stock?"
    attachments = message["attachments"]
    assert [a["type"] for a in attachments] == ["image", "image"]
    urls = [a["payload"]["url"] for a in attachments]
    assert len(set(urls)) == 2
    assert all(url.startswith(f"{emulator.url}/_media/attachments/") for url in urls)
    assert event.json()["attachments"] == attachments
    assert emulator.control("GET", "inbound?platform=meta")[0]["attachments"] == attachments
    picture = requests.get(urls[0], timeout=5)
    assert picture.status_code == 200
    assert picture.headers["Content-Type"] == "image/png"
    width, height, rows = png_pixels(picture.content)
    assert len(rows) == height * (1 + 3 * width)


def test_an_attachment_without_text_on_instagram(emulator, receiver, tokens, installed):
    subscribe(emulator, receiver)
    event = inbound(emulator, account_id=COFFEE_IG, attachments=[{"type": "image"}]).json()
    body = receiver.bodies()[0]
    assert body["object"] == "instagram"
    message = body["entry"][0]["messaging"][0]["message"]
    assert set(message) == {"mid", "attachments"}  # no text at all, as Meta sends it
    assert event["text"] == ""
    assert event["attachments"] == message["attachments"]
    # A picture is a message too: the Send API may answer it.
    assert send(emulator, tokens[COFFEE], "Yes, we have it!").status_code == 200
    # Text-only messages list no attachments.
    assert inbound(emulator, text="Thanks", deliver=False).json()["attachments"] == []


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"attachments": [{"type": "video"}]}, 'list of {"type": "image"}'),
        ({"attachments": [{"type": "image", "url": "https://a.test/x.png"}]}, "list of"),
        ({"attachments": {"type": "image"}}, "list of"),
        ({"attachments": []}, "a text, attachments or both"),
        ({"attachments": [{"type": "image"}], "text": 3}, "text must be a string"),
        ({"text": ""}, "text is required"),
        (
            {"kind": "comment", "post_id": "1", "text": "Hi", "attachments": [{"type": "image"}]},
            "only emulated on meta messages",
        ),
        (
            {
                "platform": "x",
                "account_id": "1500000000000000001",
                "text": "Hi",
                "attachments": [{"type": "image"}],
            },
            "only emulated on meta messages",
        ),
    ],
)
def test_malformed_attachments_are_refused(emulator, payload, error):
    response = inbound(emulator, **payload)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert emulator.control("GET", "inbound") == []


# --- installing the app on a Page, and the app's own subscriptions ----------------------------


def installed_apps(emulator, token: str, page: str = COFFEE) -> requests.Response:
    return requests.get(
        f"{emulator.url}/graph/v25.0/{page}/subscribed_apps",
        params={"access_token": token},
        timeout=5,
    )


def test_installing_on_a_page_lists_it_and_its_instagram_account(emulator, tokens):
    assert installed_apps(emulator, tokens[COFFEE]).json() == {"data": []}
    assert install(emulator, tokens[COFFEE]).json() == {"success": True}
    [app] = installed_apps(emulator, tokens[COFFEE]).json()["data"]
    assert (app["id"], app["subscribed_fields"]) == ("meta-app", ["feed", "messages"])
    listed = emulator.control("GET", "subscriptions?platform=meta")["meta"]
    by_account = {entry["account_id"]: entry for entry in listed}
    assert by_account[COFFEE]["fields"] == ["feed", "messages"]
    # The linked Instagram account, with the app's Instagram fields: the Dashboard's messaging
    # ones the emulator's app starts with (no comments: the app did not subscribe them).
    assert by_account[COFFEE_IG]["fields"] == [
        "message_reactions",
        "messages",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
    ]
    assert BAKERY not in by_account
    # Uninstalling stops both.
    gone = requests.delete(
        f"{emulator.url}/graph/v25.0/{COFFEE}/subscribed_apps",
        params={"access_token": tokens[COFFEE]},
        timeout=5,
    )
    assert gone.json() == {"success": True}
    assert emulator.control("GET", "subscriptions?platform=meta") == {}


def test_installing_needs_the_page_token_and_its_permissions(emulator, tokens):
    no_metadata = meta_page_tokens(emulator, META_SCOPES + ",pages_messaging")[COFFEE]
    refused = install(emulator, no_metadata)
    error = refused.json()["error"]
    assert (refused.status_code, error["code"]) == (403, 200)
    assert (
        error["message"] == "(#200) Requires pages_manage_metadata permission to manage the object"
    )
    no_messaging = meta_page_tokens(emulator, META_SCOPES + ",pages_manage_metadata")[COFFEE]
    error = install(emulator, no_messaging).json()["error"]
    assert "messages field" in error["message"]
    assert "pages_messaging" in error["message"]
    assert install(emulator, no_messaging, subscribed_fields="feed").json() == {"success": True}
    user = install(emulator, meta_user_token(emulator, INBOX_SCOPES)).json()["error"]
    assert user["code"] == 210
    other_page = install(emulator, tokens[BAKERY]).json()["error"]
    assert (other_page["code"], other_page["error_subcode"]) == (100, 33)
    assert install(emulator, tokens[COFFEE], subscribed_fields="").json()["error"]["code"] == 100
    unknown = install(emulator, tokens[COFFEE], subscribed_fields="feed,nonsense").json()
    assert unknown["error"]["code"] == 100


def test_an_uninstalled_page_gets_no_delivery(emulator, receiver, tokens):
    subscribe(emulator, receiver)
    event = inbound(emulator, text="Hello?").json()
    assert receiver.deliveries == []
    assert event["deliveries"][0]["error"] == f"{COFFEE} is not subscribed to messages events"
    instagram = inbound(emulator, account_id=COFFEE_IG, text="Hi").json()
    assert instagram["deliveries"][0]["status"] is None
    # Comments need the feed field: a Page installed for messages only gets no comments.
    install(emulator, tokens[COFFEE], subscribed_fields="messages")
    post = emulator.control("POST", "posts", {"network": "facebook", "account_id": COFFEE})
    comment = inbound(emulator, kind="comment", post_id=post["id"], text="Nice").json()
    assert "not subscribed to feed" in comment["deliveries"][0]["error"]
    again = emulator.control("POST", "inbound", {"platform": "meta", "redeliver": event["id"]})
    assert again["deliveries"][-1]["status"] == 200


APP_SECRET = "meta-secret"  # what meta_user_token's app uses


def app_subscribe(emulator, receiver: Receiver, token: str, **form: str) -> requests.Response:
    data = {
        "object": "page",
        "callback_url": receiver.url,
        "verify_token": VERIFY_TOKEN,
        "fields": "feed,messages",
        "access_token": token,
        **form,
    }
    return requests.post(
        f"{emulator.url}/graph/v25.0/meta-app/subscriptions", data=data, timeout=10
    )


def test_app_subscriptions_verify_the_callback_and_sign_with_the_app_secret(
    emulator, receiver, tokens, installed
):
    receiver.secret = APP_SECRET
    answer = app_subscribe(emulator, receiver, f"meta-app|{APP_SECRET}")
    assert answer.json() == {"success": True}, answer.text
    instagram = app_subscribe(
        emulator, receiver, f"meta-app|{APP_SECRET}", object="instagram", fields="comments"
    )
    assert instagram.json() == {"success": True}
    listed = requests.get(
        f"{emulator.url}/graph/v25.0/meta-app/subscriptions",
        params={"access_token": f"meta-app|{APP_SECRET}"},
        timeout=5,
    ).json()["data"]
    assert {(s["object"], s["active"]) for s in listed} == {("page", True), ("instagram", True)}
    inbound(emulator, text="Signed?")
    headers, raw = receiver.deliveries[0]
    expected = hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature-256"] == "sha256=" + expected


@pytest.mark.parametrize(
    ("token", "form", "code"),
    [
        ("user", {}, 15),
        (f"meta-app|{'wrong'}", {}, 190),
        (f"meta-app|{APP_SECRET}", {"verify_token": "not-ours"}, 2200),
        (f"meta-app|{APP_SECRET}", {"object": "instagram", "fields": "messages"}, 100),
        (f"meta-app|{APP_SECRET}", {"fields": ""}, 100),
        (f"meta-app|{APP_SECRET}", {"object": "planet"}, 100),
    ],
)
def test_app_subscriptions_refuse(emulator, receiver, token, form, code):
    meta_user_token(emulator)  # the app's secret is known from its first use
    if token == "user":
        token = meta_user_token(emulator)
    answer = app_subscribe(emulator, receiver, token, **form)
    assert answer.json()["error"]["code"] == code
    assert (
        requests.post(
            f"{emulator.url}/_control/inbound",
            json={
                "platform": "meta",
                "kind": "message",
                "account_id": COFFEE,
                "from": CUSTOMER,
                "text": "x",
            },
            timeout=5,
        )
        .json()["deliveries"][0]["error"]
        .startswith("no verified meta")
    )


def dashboard(emulator, *fields: str) -> dict:
    """The App Dashboard's Instagram fields (its stand-in in the control API)."""
    return emulator.control(
        "POST", "meta/app_dashboard", {"object": "instagram", "fields": list(fields)}
    )


def instagram_fields(emulator) -> list[str]:
    listed = emulator.control("GET", "subscriptions?platform=meta")["meta"]
    return next(entry["fields"] for entry in listed if entry["account_id"] == COFFEE_IG)


def test_an_instagram_account_gets_only_the_apps_instagram_fields(emulator, receiver, tokens):
    subscribe(emulator, receiver)
    dashboard(emulator, "comments")  # Instagram messages not ticked in the App Dashboard
    install(emulator, tokens[COFFEE])
    assert instagram_fields(emulator) == ["comments"]
    dm = inbound(emulator, account_id=COFFEE_IG, text="Hi").json()
    assert dm["deliveries"][0]["error"] == f"{COFFEE_IG} is not subscribed to messages events"
    assert receiver.deliveries == []
    # Ticking messages later turns them on for the accounts already installed.
    dashboard(emulator, "comments", "messages")
    assert instagram_fields(emulator) == ["comments", "messages"]
    again = emulator.control("POST", "inbound", {"platform": "meta", "redeliver": dm["id"]})
    assert again["deliveries"][-1]["status"] == 200


def test_the_subscriptions_edge_sets_instagram_comments_and_keeps_dashboard_messages(
    emulator, receiver, tokens, installed
):
    receiver.secret = APP_SECRET
    form = {"object": "instagram", "fields": "comments"}
    assert app_subscribe(emulator, receiver, f"meta-app|{APP_SECRET}", **form).json() == {
        "success": True
    }
    assert instagram_fields(emulator) == [
        "comments",
        "message_reactions",
        "messages",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
    ]
    dashboard(emulator)  # nothing ticked in the Dashboard
    assert instagram_fields(emulator) == []
    assert app_subscribe(emulator, receiver, f"meta-app|{APP_SECRET}", **form).ok
    assert instagram_fields(emulator) == ["comments"]


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "page", "fields": ["feed"]},
        {"object": "instagram", "fields": "messages"},
        {"object": "instagram", "fields": ["messages", "feed"]},
    ],
)
def test_the_app_dashboard_stand_in_refuses_what_it_does_not_hold(emulator, payload):
    before = emulator.control("GET", "meta/app_dashboard")
    answer = requests.post(f"{emulator.url}/_control/meta/app_dashboard", json=payload, timeout=5)
    assert answer.status_code == 400
    assert emulator.control("GET", "meta/app_dashboard") == before
