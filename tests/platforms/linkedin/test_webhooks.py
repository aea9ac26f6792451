"""LinkedIn's webhook endpoint: the challenge handshake, the X-LI-Signature check over the raw
body, the notification parser on the contract samples, and registration (the Developer
Portal's job; the emulator stands in for it locally)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.conf import settings

from connections.errors import Permanent
from connections.platforms.linkedin import events
from connections.platforms.registry import webhook_source
from inbox.models import WebhookDelivery
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import sample as contract_sample
from tests.platforms.linkedin.conftest import ORG

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACTS = CONTRACTS_ROOT / "linkedin"
SECRET = settings.PLATFORM_CREDENTIALS["linkedin"][1]


def sample(name: str) -> dict:
    return contract_sample("linkedin", name)


def signed(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()


def batch(*notifications: dict) -> dict:
    return {"type": events.EVENT_TYPE, "notifications": list(notifications)}


# --- the handshake ----------------------------------------------------------------------------


def test_the_challenge_is_answered_with_the_client_secret_s_hmac(client):
    documented = sample("webhook_challenge_validation_response")
    code = documented["payload"]["challengeCode"]

    answer = client.get("/webhooks/linkedin/", {"challengeCode": code})

    assert answer.status_code == documented["status"]
    assert answer["Content-Type"] == documented["headers"]["content-type"]
    assert set(answer.json()) == set(documented["payload"])
    expected = hmac.new(SECRET.encode(), code.encode(), hashlib.sha256).hexdigest()
    assert answer.json() == {"challengeCode": code, "challengeResponse": expected}


@pytest.mark.parametrize("query", [{}, {"challengeCode": ""}, {"challengeCode": "not-a-uuid"}])
def test_a_missing_or_malformed_challenge_is_refused(client, query):
    answer = client.get("/webhooks/linkedin/", query)

    assert answer.status_code == 400
    assert b"challengeResponse" not in answer.content


def test_a_challenge_can_never_sign_a_body(client):
    """The signature is HMAC("hmacsha256=" + body): answering that string as a challengeCode
    would forge a delivery."""
    body = json.dumps(batch(sample("webhook_org_social_action_comment_notification")["payload"]))

    answer = client.get("/webhooks/linkedin/", {"challengeCode": f"hmacsha256={body}"})

    assert answer.status_code == 400
    assert signed(body.encode()) not in answer.content.decode()


# --- the signature ----------------------------------------------------------------------------


def deliver(client, body: bytes, signature: str | None):
    extra = {} if signature is None else {"HTTP_X_LI_SIGNATURE": signature}
    return client.post("/webhooks/linkedin/", body, content_type="application/json", **extra)


def test_a_delivery_signed_over_the_raw_body_is_stored(client):
    # Non-ASCII as UTF-8, and spacing a re-serialisation would change: the raw bytes count.
    body = json.dumps(batch(), ensure_ascii=False).replace(",", ", ").encode() + b"  "
    body = body.replace(b"]}", '], "note": "Très"}'.encode())

    answer = deliver(client, body, signed(body))

    assert answer.status_code == 200
    assert bytes(WebhookDelivery.objects.get().body) == body


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "0" * 64,
        "hmacsha256=",  # the prefix goes into what is signed, not into the header
        signed(b'{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"}'),  # another body's
        "é" * 64,  # non-ASCII: a mismatch, not an error
    ],
)
def test_unsigned_or_wrongly_signed_deliveries_get_403_and_store_nothing(client, signature):
    body = json.dumps(batch()).encode()

    answer = deliver(client, body, signature)

    assert answer.status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_a_signature_with_another_secret_is_refused(client):
    body = json.dumps(batch()).encode()

    assert deliver(client, body, signed(body, "another-secret")).status_code == 403
    assert deliver(client, body, signed(body, "")).status_code == 403


# --- the parser -------------------------------------------------------------------------------


def test_a_comment_notification_is_an_inbox_comment():
    notification = sample("webhook_org_social_action_comment_notification")["payload"]

    (item,) = events.parse(batch(notification))

    comment = notification["decoratedGeneratedActivity"]["comment"]
    assert item.platform == "linkedin"
    assert item.account_external_id == "96072893"
    assert (item.kind, item.external_id, item.thread_key) == (
        "comment",
        comment["entity"],
        comment["entity"],
    )
    assert item.participant_id == "urn:li:person:zLqTygBP8S"
    assert item.participant_name == "LinkedIn member"  # not the raw URN
    assert item.text == "Commenting as Sumit Butola..."
    assert item.external_post_id == "urn:li:share:7094637247487995904"
    assert item.sent_at.timestamp() == 1691574506.31
    assert item.from_account is False


def test_likes_shares_and_other_notification_types_are_not_inbox_items():
    comment = sample("webhook_org_social_action_comment_notification")["payload"]
    like = {**comment, "action": "LIKE", "decoratedGeneratedActivity": {}}
    admin = {**comment, "action": "ADMIN_COMMENT"}

    assert list(events.parse(batch(like, admin))) == []
    assert list(events.parse({"type": "LEAD_ACTION", "notifications": [comment]})) == []
    assert list(events.parse({"notifications": "nonsense"})) == []


def test_a_batch_yields_each_comment_and_repeats_share_one_id():
    comment = sample("webhook_org_social_action_comment_notification")["payload"]
    again = {**comment, "notificationId": comment["notificationId"] + 1}

    first, second = events.parse(batch(comment, again))

    assert first.external_id == second.external_id  # ingest stores it once


# --- registration -----------------------------------------------------------------------------


def test_in_production_register_tells_the_operator_to_use_the_developer_portal(settings, emulator):
    settings.EMULATOR_URL = ""

    done = webhook_source("linkedin").register("https://mixora.example/webhooks/linkedin/")

    assert "Developer Portal" in done
    assert "https://mixora.example/webhooks/linkedin/" in done
    # Nothing was registered anywhere: the emulator holds no LinkedIn webhook to deliver to.
    post = emulator.control("POST", "posts", {"network": "linkedin", "account_id": ORG})
    comment = {"platform": "linkedin", "kind": "comment", "account_id": ORG, "text": "Hi"}
    event = emulator.control(
        "POST", "inbound", {**comment, "post_id": post["id"], "from": {"id": "p1", "name": "P"}}
    )
    assert event["deliveries"][-1]["error"] == "no verified linkedin webhook subscription"


def test_locally_the_emulator_validates_the_webhook_against_the_site(live_server):
    url = f"{live_server.url}/webhooks/linkedin/"

    assert webhook_source("linkedin").register(url) == f"linkedin webhooks deliver to {url}"


def test_a_url_that_fails_the_challenge_is_not_registered(live_server):
    with pytest.raises(Permanent, match="did not verify the webhook"):
        webhook_source("linkedin").register(f"{live_server.url}/webhooks/nowhere/")
