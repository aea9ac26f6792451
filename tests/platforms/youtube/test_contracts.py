"""The YouTube parsers and error classification on the documented samples in
tests/contracts/youtube/ (no HTTP: the payloads are what Google sends)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from connections.errors import AuthExpired, Permanent, RateLimited
from connections.models import ConnectedAccount
from connections.platforms.youtube import inbox
from connections.platforms.youtube.connector import classify
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import sample as contract_sample
from tests.contract_samples import sample_response

CONTRACTS = CONTRACTS_ROOT / "youtube"
OWNER = "UCowner000000000000000000"


def fixture(name: str) -> dict:
    return contract_sample("youtube", name)


def response(name: str) -> requests.Response:
    return sample_response("youtube", name)


@pytest.fixture
def channel() -> ConnectedAccount:
    return ConnectedAccount(platform="youtube", external_id=OWNER)


def test_a_thread_without_text_original_reads_the_plain_text_display(channel):
    [thread] = fixture("commentThreads_list_plaintext_no_textOriginal")["payload"]["items"]

    [item] = inbox.thread_items(None, channel, thread)

    assert item.text == "Great video! 0:42 made me laugh"
    assert (item.thread_key, item.external_id) == ("UgzTHREAD123AaABAg", "UgzTHREAD123AaABAg")
    assert (item.participant_id, item.participant_name) == (
        "UCviewerOne0000000000000",
        "@viewer_one",
    )
    assert item.external_post_id == "VIDEO_ID_01"
    assert item.sent_at == datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    assert not item.from_account


def test_text_original_wins_over_html_and_replies_are_the_channels_own(channel):
    [thread] = fixture("commentThreads_list_snippet_replies")["payload"]["items"]

    top, reply = inbox.thread_items(None, channel, thread)

    assert top.text == "Great video! 0:42 made me laugh"  # not the <a href> HTML
    assert "<a" not in top.text
    assert reply.external_id == "UgzTHREAD123AaABAg.REPLY0001"
    assert reply.thread_key == "UgzTHREAD123AaABAg"
    assert reply.from_account  # written by the channel itself
    assert reply.text == "Thanks!"


def test_comments_list_replies_parse_into_the_thread(channel):
    payload = fixture("comments_list_parentId")["payload"]

    items = [
        inbox.comment_item(channel, c["snippet"]["parentId"], c, "VIDEO_ID_01")
        for c in payload["items"]
    ]

    assert [(i.thread_key, i.external_id, i.from_account) for i in items] == [
        ("UgzTHREAD123AaABAg", "UgzTHREAD123AaABAg.REPLY0001", True),
        ("UgzTHREAD123AaABAg", "UgzTHREAD123AaABAg.REPLY0002", False),
    ]
    assert items[1].participant_name == "@viewer_two"


def test_quota_exceeded_is_rate_limited_until_midnight_pacific():
    with pytest.raises(RateLimited) as caught:
        classify(response("error_quotaExceeded_403"))

    retry_at = caught.value.retry_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (retry_at.hour, retry_at.minute, retry_at.second) == (0, 0, 0)
    now = datetime.now(UTC)
    assert 0 < (caught.value.retry_at - now).total_seconds() <= 25 * 3600
    assert caught.value.status == 403


@pytest.mark.parametrize("name", ["error_authError_401", "error_missing_credentials_401"])
def test_401s_are_auth_expired(name):
    with pytest.raises(AuthExpired):
        classify(response(name))


@pytest.mark.parametrize("name", ["error_commentsDisabled_403", "error_processingFailure_400"])
def test_refusals_are_permanent_and_keep_the_reason_readable(name):
    with pytest.raises(Permanent) as caught:
        classify(response(name))

    assert caught.value.message.startswith("YouTube refused:")
    assert "<" not in caught.value.message
