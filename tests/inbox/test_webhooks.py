"""The webhook endpoints: the platforms' handshakes, signatures checked over the raw body,
deliveries stored byte for byte and handed to the processing task. Signatures are computed
here with the platforms' documented algorithms, independently of Mixora's code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.test import Client

from inbox import deliveries
from inbox.models import WebhookDelivery

pytestmark = pytest.mark.django_db

META = "/webhooks/meta/"
X = "/webhooks/x/"

# What the platforms send: compact JSON, non-ASCII escaped as \uXXXX, keys in their order.
PAYLOAD = {
    "object": "page",
    "entry": [
        {
            "id": "20000000000001",
            "time": 1777629600000,
            "messaging": [
                {
                    "sender": {"id": "900001"},
                    "recipient": {"id": "20000000000001"},
                    "timestamp": 1777629600000,
                    "message": {"mid": "m_test1", "text": "Olá! Um café ☕ por favor — 😀"},
                }
            ],
        }
    ],
}
BODY = json.dumps(PAYLOAD, separators=(",", ":"), ensure_ascii=True).encode()
X_BODY = json.dumps(
    {"for_user_id": "1500000000000000001", "direct_message_events": [], "note": "Zoë ✓"},
    separators=(",", ":"),
    ensure_ascii=True,
).encode()


def meta_secret() -> str:
    return settings.PLATFORM_CREDENTIALS["meta"][1]


def meta_signature(body: bytes, secret: str | None = None) -> str:
    key = (secret or meta_secret()).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def x_signature(body: bytes, secret: str | None = None) -> str:
    key = (secret or settings.X_CONSUMER_SECRET).encode()
    return "sha256=" + base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


@pytest.fixture
def csrf_client() -> Client:
    """A client that enforces CSRF like a browser session would: webhooks must not need it."""
    return Client(enforce_csrf_checks=True)


def post_meta(client: Client, body: bytes, signature: str | None):
    headers = {"X-Hub-Signature-256": signature} if signature is not None else {}
    return client.post(META, body, content_type="application/json", headers=headers)


def post_x(client: Client, body: bytes, signature: str | None):
    headers = {"x-twitter-webhooks-signature": signature} if signature is not None else {}
    return client.post(X, body, content_type="application/json", headers=headers)


# --- handshakes --------------------------------------------------------------------------


def test_meta_verification_echoes_the_challenge_as_plain_text(csrf_client):
    response = csrf_client.get(
        META,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": settings.META_WEBHOOK_VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    ("mode", "token"),
    [
        ("subscribe", "not-the-token"),
        ("unsubscribe", "test-verify-token"),
        ("", "test-verify-token"),
        ("subscribe", ""),
    ],
    ids=["wrong-token", "wrong-mode", "no-mode", "no-token"],
)
def test_meta_verification_refuses_a_wrong_token_or_mode(csrf_client, mode, token):
    assert settings.META_WEBHOOK_VERIFY_TOKEN == "test-verify-token"
    query = {"hub.challenge": "1158201444"}
    if mode:
        query["hub.mode"] = mode
    if token:
        query["hub.verify_token"] = token

    response = csrf_client.get(META, query)

    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_x_crc_answers_with_the_base64_hmac_of_the_token(csrf_client):
    crc_token = "9b4507b3-4b2a-4c1e-8f0e-6b7c0a1d2e3f"
    digest = hmac.new(
        settings.X_CONSUMER_SECRET.encode(), crc_token.encode(), hashlib.sha256
    ).digest()

    response = csrf_client.get(X, {"crc_token": crc_token})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"response_token": "sha256=" + base64.b64encode(digest).decode()}


def test_x_crc_without_a_token_is_a_bad_request(csrf_client):
    assert csrf_client.get(X).status_code == 400
    assert csrf_client.get(X, {"crc_token": ""}).status_code == 400


@pytest.mark.parametrize("url", [META, X])
def test_other_methods_are_not_allowed(csrf_client, url):
    assert csrf_client.put(url, BODY, content_type="application/json").status_code == 405
    assert not WebhookDelivery.objects.exists()


# --- signed deliveries -------------------------------------------------------------------


def test_a_signed_meta_delivery_is_stored_byte_for_byte(csrf_client):
    # Non-ASCII escaped as \uXXXX, as Meta sends it.
    assert b"\\u00e1" in BODY
    assert b"\\ud83d\\ude00" in BODY
    response = post_meta(csrf_client, BODY, meta_signature(BODY))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.platform == "meta"
    assert bytes(delivery.body) == BODY


def test_a_signed_x_delivery_is_stored_byte_for_byte(csrf_client):
    assert b"\\u00eb" in X_BODY
    response = post_x(csrf_client, X_BODY, x_signature(X_BODY))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.platform == "x"
    assert bytes(delivery.body) == X_BODY


def test_a_delivery_keeps_whitespace_and_key_order_as_sent(csrf_client):
    """The stored bytes are the request's, not a re-serialisation of the parsed JSON."""
    body = b'{ "object" : "instagram",\n  "entry": [],  "z": "\\u00e7", "a": 1 }'

    assert post_meta(csrf_client, body, meta_signature(body)).status_code == 200

    assert bytes(WebhookDelivery.objects.get().body) == body


def _meta_bad_signatures() -> dict[str, str | None]:
    decoded = json.dumps(PAYLOAD, separators=(",", ":"), ensure_ascii=False).encode()
    key = meta_secret().encode()
    return {
        "missing": None,
        "empty": "",
        "other-secret": meta_signature(BODY, "another-app-secret"),
        "over-unescaped-text": meta_signature(decoded),
        "sha1-algorithm": "sha1=" + hmac.new(key, BODY, hashlib.sha1).hexdigest(),
        "sha1-digest-labelled-sha256": "sha256=" + hmac.new(key, BODY, hashlib.sha1).hexdigest(),
        "no-prefix": hmac.new(key, BODY, hashlib.sha256).hexdigest(),
        "base64-instead-of-hex": "sha256="
        + base64.b64encode(hmac.new(key, BODY, hashlib.sha256).digest()).decode(),
        "truncated": meta_signature(BODY)[:-2],
    }


META_BAD = _meta_bad_signatures()


@pytest.mark.parametrize("case", list(META_BAD))
def test_a_badly_signed_meta_delivery_is_refused_and_not_stored(csrf_client, case):
    response = post_meta(csrf_client, BODY, META_BAD[case])

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


def _x_bad_signatures() -> dict[str, str | None]:
    decoded = json.dumps(json.loads(X_BODY), separators=(",", ":"), ensure_ascii=False).encode()
    key = settings.X_CONSUMER_SECRET.encode()
    return {
        "missing": None,
        "empty": "",
        "other-secret": x_signature(X_BODY, "another-consumer-secret"),
        "over-unescaped-text": x_signature(decoded),
        "sha1-algorithm": "sha1="
        + base64.b64encode(hmac.new(key, X_BODY, hashlib.sha1).digest()).decode(),
        "hex-instead-of-base64": "sha256=" + hmac.new(key, X_BODY, hashlib.sha256).hexdigest(),
        "no-prefix": base64.b64encode(hmac.new(key, X_BODY, hashlib.sha256).digest()).decode(),
        "meta-app-secret": x_signature(X_BODY, meta_secret()),
    }


X_BAD = _x_bad_signatures()


@pytest.mark.parametrize("case", list(X_BAD))
def test_a_badly_signed_x_delivery_is_refused_and_not_stored(csrf_client, case):
    response = post_x(csrf_client, X_BODY, X_BAD[case])

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_a_signature_of_one_platform_is_not_accepted_by_the_other(csrf_client):
    # The Meta header on the X endpoint (and vice versa) is as good as no signature.
    meta_headers = {"X-Hub-Signature-256": meta_signature(X_BODY)}
    x_headers = {"x-twitter-webhooks-signature": x_signature(BODY)}

    to_x = csrf_client.post(X, X_BODY, content_type="application/json", headers=meta_headers)
    to_meta = csrf_client.post(META, BODY, content_type="application/json", headers=x_headers)

    assert (to_x.status_code, to_meta.status_code) == (403, 403)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("body", [b"not json at all", b"[1, 2, 3]", b'"a string"', b""])
def test_a_signed_body_that_is_not_a_json_object_is_a_bad_request(csrf_client, body):
    assert post_meta(csrf_client, body, meta_signature(body)).status_code == 400
    assert post_x(csrf_client, body, x_signature(body)).status_code == 400
    assert not WebhookDelivery.objects.exists()


# --- handing over to the processing task -------------------------------------------------


def test_an_accepted_delivery_enqueues_its_processing_on_commit(
    csrf_client, celery_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meta = post_meta(csrf_client, BODY, meta_signature(BODY))

    assert meta.status_code == 200
    assert len(callbacks) == 1
    delivery = WebhookDelivery.objects.get()
    assert celery_queue() == [("inbox.tasks.process_delivery", [delivery.pk])]


def test_deliveries_arriving_while_a_task_waits_add_no_task_and_are_taken_along(
    csrf_client, celery_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(csrf_client, BODY, meta_signature(BODY))
        post_x(csrf_client, X_BODY, x_signature(X_BODY))

    first, second = WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)
    assert celery_queue() == [("inbox.tasks.process_delivery", [first])]
    deliveries.process_batch(first)
    assert not WebhookDelivery.objects.filter(pk__in=[first, second]).exists()

    # The task started: the next delivery sends a task of its own.
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(csrf_client, BODY, meta_signature(BODY))
    third = WebhookDelivery.objects.get().pk
    assert celery_queue()[-1] == ("inbox.tasks.process_delivery", [third])


def test_nothing_is_enqueued_before_the_delivery_is_committed(csrf_client, celery_queue):
    # Inside the test's transaction the commit never comes: the task must not run ahead of
    # the row it reads.
    assert post_meta(csrf_client, BODY, meta_signature(BODY)).status_code == 200

    assert WebhookDelivery.objects.count() == 1
    assert celery_queue() == []


def test_a_refused_delivery_enqueues_nothing(
    csrf_client, celery_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert post_meta(csrf_client, BODY, meta_signature(BODY, "wrong")).status_code == 403
        assert post_x(csrf_client, b"nope", x_signature(b"nope")).status_code == 400

    assert callbacks == []
    assert celery_queue() == []
