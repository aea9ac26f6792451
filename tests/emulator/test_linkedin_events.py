"""The emulated Organization Social Action Notifications: the portal stand-in's challenge
handshake, /rest/eventSubscriptions (who may subscribe which organisation), and signed
deliveries of members' comments, only for subscribed organisations and public posts."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from tests.emulator.test_linkedin import (
    CLIENT,
    ORG,
    ORG_URN,
    SCOPES,
    api,
    headers,
    text_post,
    token,
)

APP_ID = "219000042"
EVENT = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"
MEMBER_URN = "urn:li:person:emuMember001"
SECRET = CLIENT["client_secret"]


class Receiver:
    """A loopback stand-in for Mixora's LinkedIn webhook: answers the challenge with `secret`
    and keeps what is POSTed."""

    def __init__(self) -> None:
        self.secret = SECRET
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                code = parse_qs(urlsplit(self.path).query).get("challengeCode", [""])[0]
                answer = hmac.new(receiver.secret.encode(), code.encode(), hashlib.sha256)
                body = {"challengeCode": code, "challengeResponse": answer.hexdigest()}
                self._answer(json.dumps(body).encode())

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self._answer(b"")

            def _answer(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/linkedin/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def register(emulator, receiver: Receiver, **changes: str) -> requests.Response:
    payload = {
        "platform": "linkedin",
        "url": receiver.url,
        "secret": SECRET,
        "client_id": CLIENT["client_id"],
        "app_id": APP_ID,
        **changes,
    }
    return requests.post(f"{emulator.url}/_control/webhooks/subscribe", json=payload, timeout=10)


def key(app: str = APP_ID, user: str = MEMBER_URN, org: str = ORG_URN) -> str:
    parts = (
        ("developerApplication", f"urn:li:developerApplication:{app}"),
        ("user", user),
        ("entity", org),
        ("eventType", EVENT),
    )
    return "(" + ",".join(f"{name}:{quote(value, safe='')}" for name, value in parts) + ")"


def subscription(
    emulator, method: str, access: str, webhook: str, subscription_key: str | None = None
) -> requests.Response:
    return requests.request(
        method,
        f"{emulator.url}/linkedin-api/rest/eventSubscriptions/{subscription_key or key()}",
        json={"webhook": webhook} if method == "PUT" else None,
        headers=headers(access),
        timeout=10,
    )


def subscribed_orgs(emulator) -> list[str]:
    listed = emulator.control("GET", "subscriptions?platform=linkedin").get("linkedin", [])
    return [entry["account_id"] for entry in listed if entry["fields"] == [EVENT]]


def post(emulator, org: str = ORG) -> str:
    return emulator.control(
        "POST", "posts", {"network": "linkedin", "account_id": org, "text": "We are hiring"}
    )["id"]


def comment(emulator, post_urn: str, org: str = ORG) -> dict:
    payload = {
        "platform": "linkedin",
        "kind": "comment",
        "account_id": org,
        "post_id": post_urn,
        "from": {"id": "zLqTygBP8S", "name": "Sam Member"},
        "text": "Très bien — is it remote?",
    }
    return emulator.control("POST", "inbound", payload)


def test_the_portal_validates_the_webhook_with_the_challenge(emulator, receiver):
    answer = register(emulator, receiver)

    assert answer.status_code == 200, answer.text
    assert answer.json()["verified"] is True

    receiver.secret = "another-secret"
    refused = register(emulator, receiver).json()
    assert refused["verified"] is False
    assert refused["reason"] == "This URL did not pass the security challenge check"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"app_id": ""}, "app_id"),
        ({"client_id": ""}, "client_id"),
        ({"secret": "not-the-client-secret"}, "client secret"),
    ],
)
def test_the_webhook_belongs_to_one_app_and_its_secret(emulator, receiver, changes, message):
    token(emulator)  # the client's secret is known from its first token call

    answer = register(emulator, receiver, **changes)

    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_a_member_subscribes_an_organisation_they_administer(emulator, receiver):
    register(emulator, receiver)
    access = token(emulator)

    answer = subscription(emulator, "PUT", access, receiver.url)

    assert (answer.status_code, answer.content) == (204, b"")
    assert subscribed_orgs(emulator) == [ORG]
    deleted = subscription(emulator, "DELETE", access, receiver.url)
    assert deleted.status_code == 204
    assert subscribed_orgs(emulator) == []
    assert subscription(emulator, "DELETE", access, receiver.url).status_code == 404


@pytest.mark.parametrize(
    ("scopes", "subscription_key", "status"),
    [
        ("r_organization_social w_organization_social", None, 403),  # no rw_organization_admin
        (SCOPES, key(user="urn:li:person:someoneElse"), 403),  # not the token's member
        (SCOPES, key(org="urn:li:organization:12345"), 403),  # not administered
        (SCOPES, key(app="1"), 403),  # another application
        (SCOPES, key().replace(EVENT, "LIKES"), 400),
    ],
)
def test_subscriptions_the_member_may_not_make_are_refused(
    emulator, receiver, scopes, subscription_key, status
):
    register(emulator, receiver)
    access = token(emulator, scopes)

    answer = subscription(emulator, "PUT", access, receiver.url, subscription_key)

    assert answer.status_code == status, answer.text
    assert subscribed_orgs(emulator) == []


def test_only_the_registered_validated_webhook_can_be_subscribed(emulator, receiver):
    access = token(emulator)
    assert subscription(emulator, "PUT", access, receiver.url).status_code == 400  # none yet

    register(emulator, receiver)
    other = subscription(emulator, "PUT", access, "https://elsewhere.example/hook")

    assert other.status_code == 400
    assert subscribed_orgs(emulator) == []


def test_a_comment_is_notified_signed_to_the_subscribed_organisation_s_webhook(emulator, receiver):
    register(emulator, receiver)
    subscription(emulator, "PUT", token(emulator), receiver.url)
    share = post(emulator)

    event = comment(emulator, share)

    assert event["deliveries"][-1]["status"] == 200
    ((sent_headers, body),) = receiver.deliveries
    expected = hmac.new(SECRET.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    assert sent_headers["x-li-signature"] == expected
    sent = json.loads(body)
    assert sent["type"] == EVENT
    (notification,) = sent["notifications"]
    assert notification["action"] == "COMMENT"
    assert notification["subscriber"] == MEMBER_URN
    assert notification["organizationalEntity"] == ORG_URN
    assert notification["decoratedSourcePost"]["entity"] == share
    assert notification["decoratedGeneratedActivity"]["comment"] == {
        "owner": "urn:li:person:zLqTygBP8S",
        "text": "Très bien — is it remote?",
        "entity": event["id"],
        "object": notification["sourcePost"],
    }


def test_an_organisation_nobody_subscribed_gets_no_delivery(emulator, receiver):
    register(emulator, receiver)
    subscription(emulator, "PUT", token(emulator), receiver.url)  # Demo Co only

    event = comment(emulator, post(emulator, "90000002"), "90000002")

    assert event["deliveries"][-1]["status"] is None
    assert "not subscribed" in event["deliveries"][-1]["error"]
    assert receiver.deliveries == []


def test_comments_on_posts_that_are_not_public_are_not_notified(emulator, receiver):
    register(emulator, receiver)
    access = token(emulator)
    subscription(emulator, "PUT", access, receiver.url)
    body = {**text_post("For our connections"), "visibility": "CONNECTIONS"}
    created = api(emulator, "POST", "/posts", access, json=body)
    assert created.status_code == 201, created.text

    event = comment(emulator, created.headers["x-restli-id"])

    assert (event["webhook"], event["deliveries"]) == (None, [])
    assert receiver.deliveries == []
