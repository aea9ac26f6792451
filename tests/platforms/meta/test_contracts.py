"""Meta's documented payloads (tests/contracts/meta/, with their sources) through our readers:
every webhook sample through events.parse, every response and error body through classify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone

from connections.errors import AuthExpired, Permanent, RateLimited, Retryable
from connections.platforms.meta import events
from connections.platforms.meta.connector import classify
from connections.platforms.meta.errors import ContainerLost, PublishingLimit
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import http_response
from tests.contract_samples import sample as contract_sample

CONTRACTS = CONTRACTS_ROOT / "meta"


def fixture(name: str) -> dict:
    return contract_sample("meta", name)


def response(payload: object, status: int = 400) -> requests.Response:
    return http_response(status, payload)


def page_envelope(event: dict) -> dict:
    """The docs show some Messenger events as one messaging[] item: our endpoint gets them in
    the page envelope."""
    return {"object": "page", "entry": [{"id": "<PAGE_ID>", "time": 1, "messaging": [event]}]}


def parse(body: object) -> list:
    bodies = body if isinstance(body, list) else [body]  # a few docs wrap it in an array
    return [item for one in bodies for item in events.parse(one)]


def test_every_fixture_is_covered_here():
    names = {path.stem for path in CONTRACTS.glob("*.json")}
    assert names == set(WEBHOOKS) | set(RESPONSES) | set(ERRORS)


def _instagram_comment(items: list) -> None:
    [item] = items
    assert (item.platform, item.kind) == ("instagram", "comment")
    assert item.account_external_id == "<YOUR_APP_USERS_INSTAGRAM_ACCOUNT_ID>"
    assert (item.external_id, item.thread_key) == ("<COMMENT_ID>", "<COMMENT_ID>")
    assert (item.participant_id, item.participant_handle) == (
        "<INSTAGRAM_SCOPED_USER_ID>",
        "<USERNAME>",
    )
    assert item.text == "<COMMENT_TEXT>"
    assert item.external_post_id == "<MEDIA_ID>"
    assert item.sent_at == datetime.fromtimestamp(1569262486, UTC)


def _instagram_share(items: list) -> None:
    [item] = items
    assert (item.platform, item.kind, item.from_account) == ("instagram", "message", False)
    assert (item.external_id, item.participant_id) == ("{MESSAGE_ID}", "{SENDER_ID}")
    assert item.text == ""
    assert item.attachment_urls[0][0] == "share"
    assert item.attachment_urls[0][1].startswith("https://lookaside.fbsbx.com/")


def _instagram_text(items: list) -> None:
    [item] = items
    assert (item.platform, item.account_external_id, item.thread_key) == (
        "instagram",
        "IGID",
        "IGSID",
    )
    assert (item.external_id, item.text) == ("MESSAGE-ID", "MESSAGE-TEXT")
    assert item.sent_at == datetime.fromtimestamp(1569262485.349, UTC)


def _messenger_attachments(items: list) -> None:
    [item] = items
    assert (item.platform, item.account_external_id) == ("facebook", "682498302938465")
    assert item.attachment_urls == (("<image|video|audio|file|reel|ig_reel>", "<ATTACHMENT_URL>"),)


def _echo(items: list) -> None:
    [item] = items
    assert item.from_account is True
    assert (item.thread_key, item.participant_id) == ("<PSID>", "<PSID>")  # the customer


def _standby_echo(items: list) -> None:
    [item] = items
    assert (item.platform, item.from_account, item.thread_key) == ("facebook", True, "<PSID>")
    assert item.attachment_urls == ()  # a template, no media URL


def _text(items: list) -> None:
    [item] = items
    assert (item.kind, item.text, item.thread_key) == ("message", "hello, world!", "<PSID>")
    assert item.from_account is False


def _feed_post(items: list) -> None:
    assert items == []  # a new Page post is not a conversation


WEBHOOKS = {
    "webhook_instagram_comments": (None, _instagram_comment),
    "webhook_instagram_messaging_share_attachment": (None, _instagram_share),
    "webhook_instagram_messaging_text": (None, _instagram_text),
    "webhook_messenger_message_attachments_entry": (
        lambda entry: {"object": "page", "entry": [entry]},
        _messenger_attachments,
    ),
    "webhook_messenger_message_echo_event": (page_envelope, _echo),
    "webhook_messenger_message_echo_standby_template": (None, _standby_echo),
    "webhook_messenger_message_reply_to_event": (page_envelope, _text),
    "webhook_messenger_message_text_event": (page_envelope, _text),
    "webhook_page_feed_post_add": (None, _feed_post),
}


@pytest.mark.parametrize("name", sorted(WEBHOOKS))
def test_webhook_samples_parse(name):
    wrap, check = WEBHOOKS[name]
    payload = fixture(name)["payload"]
    check(parse(wrap(payload) if wrap else payload))


RESPONSES = {
    "ig_container_create_response": {"id": "<IG_CONTAINER_ID>"},
    "ig_container_status_finished": {"status_code": "FINISHED", "id": "17889615691921648"},
    "ig_content_publishing_limit": None,
    "page_subscribed_apps_get": None,
    "page_subscribed_apps_post_success": {"success": "true"},
}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_success_bodies_pass_classify(name):
    sample = fixture(name)
    body = classify(response(sample["payload"], sample.get("status", 200)))
    assert body == (RESPONSES[name] or sample["payload"])


ERRORS = {
    "graph_error_190_460_common_shape": AuthExpired,
    "ig_error_36000_2207004_image_too_large": Permanent,
    "page_subscribed_apps_post_missing_permission": Permanent,
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_samples_classify(name):
    sample = fixture(name)
    with pytest.raises(ERRORS[name]) as raised:
        classify(response(sample["payload"], sample.get("status", 400)))
    error = sample["payload"]["error"]
    assert (error.get("error_user_msg") or error["message"]) in raised.value.message


def graph_error(code: int, subcode: int | None = None, message: str = "msg") -> dict:
    """The documented common shape (graph_error_190_460_common_shape.json) with one row of
    Instagram's error-code table."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "x"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


# (code, subcode, class) of the Instagram error-codes table (research notes §6; source:
# developers.facebook.com/documentation/instagram-platform/instagram-graph-api/
# reference/error-codes)
INSTAGRAM_TABLE = [
    (-2, 2207003, Retryable),  # download took too long
    (-2, 2207020, ContainerLost),  # media expired: new container
    (-1, 2207001, Retryable),  # Instagram server error
    (-1, 2207032, ContainerLost),  # create media failed: re-create
    (-1, 2207053, ContainerLost),  # unknown upload error: new container
    (1, 2207057, Permanent),  # thumbnail offset
    (4, 2207051, Permanent),  # restricted activity (spam), not throttling
    (9, 2207042, PublishingLimit),  # daily publishing limit
    (24, 2207006, ContainerLost),  # media not found
    (24, 2207008, Retryable),  # media builder expired: retry soon
    (25, 2207050, Permanent),  # account restricted
    (100, 2207023, Permanent),
    (100, 2207028, Permanent),  # carousel size
    (100, 2207035, Permanent),
    (100, 2207036, Permanent),
    (100, 2207037, Permanent),
    (100, 2207040, Permanent),  # too many @tags
    (352, 2207026, Permanent),  # video format
    (9004, 2207052, Permanent),  # media URL not fetchable
    (9007, 2207027, Retryable),  # not ready yet
    (36000, 2207004, Permanent),
    (36001, 2207005, Permanent),
    (36003, 2207009, Permanent),
    (36004, 2207010, Permanent),
]


@pytest.mark.parametrize(("code", "subcode", "kind"), INSTAGRAM_TABLE)
def test_instagram_error_table(code, subcode, kind):
    with pytest.raises(kind) as raised:
        classify(response(graph_error(code, subcode)))
    assert type(raised.value) is kind


def test_the_publishing_limit_waits_a_day_without_more_to_go_on():
    with pytest.raises(RateLimited) as raised:
        classify(response(graph_error(9, 2207042)))
    wait = raised.value.retry_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < wait <= timedelta(hours=24)


@pytest.mark.parametrize(
    ("code", "kind"),
    [(4, RateLimited), (17, RateLimited), (32, RateLimited), (190, AuthExpired), (2, Retryable)],
)
def test_graph_codes_keep_their_classes(code, kind):
    with pytest.raises(kind):
        classify(response(graph_error(code)))
