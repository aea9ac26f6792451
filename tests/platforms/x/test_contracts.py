"""X's documented answers (tests/contracts/x/) through the event parser, the subscription reply
reader, the connector's error classification and the composer's twitter-text rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from connections.errors import AuthExpired, Permanent, RateLimited
from connections.platforms.network import MediaFacts
from connections.platforms.x import activity, composer, events
from connections.platforms.x.connector import classify
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import sample as contract_sample
from tests.contract_samples import sample_response

FIXTURES = CONTRACTS_ROOT / "x"


def fixture(name: str) -> dict:
    return contract_sample("x", name)


def response(name: str) -> requests.Response:
    return sample_response("x", name)


# What X sends (samples without an HTTP status) among the X Activity and Account Activity ones.
DELIVERIES = sorted(
    path.stem
    for path in FIXTURES.glob("*.json")
    if path.stem.startswith(("xaa_event_", "aaa_")) and "status" not in fixture(path.stem)
)


def test_every_delivery_fixture_is_covered():
    assert len(DELIVERIES) == 17  # 7 X Activity events, 10 Account Activity samples


@pytest.mark.parametrize("name", DELIVERIES)
def test_every_delivery_fixture_parses(name):
    items = list(events.parse(fixture(name)["payload"]))
    expected = {
        "xaa_event_dm_received": 1,
        "xaa_event_post_mention_create": 1,
        "xaa_event_post_reply_create": 1,
    }
    # Mixora subscribes only to X Activity mentions, replies and DMs: everything else (its own
    # posts, encrypted chats, revocations, Account Activity bodies) gives nothing.
    assert len(items) == expected.get(name, 0)


def test_a_dm_received_is_a_message_from_the_sender():
    (item,) = events.parse(fixture("xaa_event_dm_received")["payload"])
    assert (item.platform, item.kind, item.account_external_id) == (
        "x",
        "message",
        "1111111111111111111",
    )
    assert (item.thread_key, item.participant_id, item.external_id) == (
        "2222222222222222222",
        "2222222222222222222",
        "2080765901528535096",
    )
    assert (item.participant_name, item.participant_handle) == ("OtherUser", "OtherUser")
    assert item.participant_avatar_url.startswith("https://pbs.twimg.com/")
    assert (item.text, item.from_account) == ("hello!", False)
    assert item.sent_at == datetime.fromtimestamp(1784928224.372, tz=UTC)


def test_a_dm_sent_from_the_account_is_its_own_in_the_customers_thread():
    body = fixture("xaa_event_dm_received")["payload"]
    data = body["data"]
    dm = data["payload"]["direct_message_events"][0]["message_create"]
    dm["sender_id"], dm["target"]["recipient_id"] = data["filter"]["user_id"], "2222222222222222222"
    data["event_type"] = "dm.sent"
    (item,) = events.parse(body)
    assert (item.thread_key, item.from_account) == ("2222222222222222222", True)
    assert item.participant_name == "OtherUser"


def test_a_mention_is_a_comment_thread_of_its_own():
    (item,) = events.parse(fixture("xaa_event_post_mention_create")["payload"])
    assert (item.kind, item.thread_key, item.external_id) == (
        "comment",
        "2080765813578191303",
        "2080765813578191303",
    )
    assert (item.participant_id, item.participant_name) == ("2222222222222222222", "OtherUser")
    assert item.text == "hey @ExampleUser"
    assert (item.external_post_id, item.reply_to_external_id) == ("", "")
    assert item.sent_at == datetime(2026, 7, 24, 21, 23, 23, tzinfo=UTC)


def test_a_reply_names_the_post_it_answers():
    (item,) = events.parse(fixture("xaa_event_post_reply_create")["payload"])
    assert item.text == "@ExampleUser Great post — thanks for sharing!"
    assert (item.external_post_id, item.reply_to_external_id) == (
        "2080761390344937796",
        "2080761390344937796",
    )


def test_a_long_post_is_stored_in_full_from_note_tweet():
    # Defect 6: X cuts `text` at 280 characters; the whole post is in note_tweet.text.
    body = fixture("xaa_event_post_mention_create")["payload"]
    whole = "hey @ExampleUser " + "a long story " * 40
    body["data"]["payload"].update(text=whole[:280], note_tweet={"text": whole})
    (item,) = events.parse(body)
    assert item.text == whole


def test_the_accounts_own_posts_are_not_inbound():
    body = fixture("xaa_event_post_reply_create")["payload"]
    body["data"]["payload"]["author_id"] = body["data"]["filter"]["user_id"]
    assert list(events.parse(body)) == []


@pytest.mark.parametrize(
    "name",
    ["xaa_subscription_create_200", "xaa_subscription_create_first_200"],
)
def test_the_new_subscription_id_is_read_from_either_documented_shape(name):
    assert activity.created_id(fixture(name)["payload"]) == "1976325569252868096"
    openapi_shape = {"data": {"subscription": fixture(name)["payload"]["data"]}}
    if isinstance(openapi_shape["data"]["subscription"], dict):
        assert activity.created_id(openapi_shape) == "1976325569252868096"


# --- error classification ------------------------------------------------------------------


def test_unauthorized_means_the_token_expired():
    with pytest.raises(AuthExpired):
        classify(response("error_401_unauthorized"))


@pytest.mark.parametrize("name", ["error_429_too_many_requests", "error_429_legacy_code88"])
def test_rate_limits_retry_at_the_reset_header(name):
    with pytest.raises(RateLimited) as caught:
        classify(response(name))
    assert caught.value.retry_at == datetime.fromtimestamp(1705420800, tz=UTC)


def test_the_usage_cap_is_not_retried():
    with pytest.raises(Permanent, match="usage cap"):
        classify(response("error_429_usage_capped"))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("error_400_invalid_request_problem", "The 'query' parameter is required."),
        ("tweets_create_403_duplicate_content", "duplicate content"),
        ("tweets_create_403_reply_not_summoned", "not been mentioned or otherwise engaged"),
    ],
)
def test_refusals_are_permanent_with_xs_words(name, words):
    with pytest.raises(Permanent, match=words):
        classify(response(name))


def test_partial_errors_still_return_the_data():
    assert classify(response("error_200_partial_errors"))["data"][0]["id"] == "123"


# --- twitter-text ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", fixture("twitter_text_validity_cases")["payload"]["cases"])
def test_the_composer_follows_twitter_text(case):
    check = composer.check_x(case["text"], [], {})
    assert check.used == case["expected"].get("weightedLength", 0)
    assert check.ok == case["expected"]["valid"]


@pytest.mark.parametrize(
    ("char", "name"), [("\uffff", "U+FFFF"), ("\ufeff", "U+FEFF"), ("\ufffe", "U+FFFE")]
)
def test_text_with_a_character_twitter_text_marks_invalid_is_refused_plainly(char, name):
    # Defect 12d: it counted within 280, so the composer let it through and X refused it.
    check = composer.check_x(
        f"Opening hours{char} today", [MediaFacts("image", "image/png", 10)], {}
    )
    assert check.problems == [
        f"X refuses text containing the invisible character {name}: remove it (it often comes "
        "from pasting)."
    ]
    assert composer.check_x("Opening \u202ahours\u202c today", [], {}).ok  # marks are fine
