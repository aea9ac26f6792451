"""TikTok's documented answers (tests/contracts/tiktok/) through the connector's error
classification, the creator_info parser and the publishing decisions built on them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from connections.errors import AuthExpired, Permanent, RateLimited
from connections.platforms.base import MediaItem, PublishRequest
from connections.platforms.tiktok import connector, publish
from connections.platforms.tiktok.creator import CreatorInfo
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import sample as contract_sample
from tests.contract_samples import sample_response

FIXTURES = CONTRACTS_ROOT / "tiktok"


def fixture(name: str) -> dict:
    return contract_sample("tiktok", name)


def response(name: str) -> requests.Response:
    return sample_response("tiktok", name)


@pytest.mark.parametrize(
    "name",
    [
        "creator_info_query_ok",
        "video_init_file_upload_ok",
        "status_fetch_processing_upload",
        "status_fetch_publish_complete",
        "status_fetch_failed",
    ],
)
def test_ok_answers_pass_through(name):
    assert connector.classify(response(name)) == fixture(name)["payload"]


@pytest.mark.parametrize(
    "name",
    [
        # creator_info says "can't post now" with HTTP 200; init says it with 403.
        "creator_info_query_spam_risk_too_many_posts_200",
        "video_init_error_spam_risk_too_many_posts_403",
        "creator_info_query_reached_active_user_cap_200",
        "video_init_error_reached_active_user_cap_403",
        "inbox_init_error_spam_risk_too_many_pending_share_403",
    ],
)
def test_daily_caps_wait_for_the_rolling_24_hours(name):
    before = timezone.now()
    with pytest.raises(RateLimited) as caught:
        connector.classify(response(name))

    assert before + timedelta(hours=24) <= caught.value.retry_at
    assert caught.value.retry_at <= timezone.now() + timedelta(hours=24)
    assert "24 hours" in caught.value.message


def test_the_daily_post_cap_says_what_happened():
    with pytest.raises(RateLimited) as caught:
        connector.classify(response("creator_info_query_spam_risk_too_many_posts_200"))

    assert "daily limit of posts" in caught.value.message
    assert "TikTok app" in caught.value.message


def test_the_per_minute_limit_waits_a_minute():
    before = timezone.now()
    with pytest.raises(RateLimited) as caught:
        connector.classify(response("video_init_error_rate_limit_exceeded_429"))

    assert before + timedelta(minutes=1) <= caught.value.retry_at
    assert caught.value.retry_at <= timezone.now() + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("error_access_token_invalid_401", "no longer accepts this account's token"),
        ("video_init_error_scope_not_authorized_401", "allow Mixora to post videos"),
    ],
)
def test_token_and_scope_problems_ask_for_a_refresh_or_reconnect(name, words):
    with pytest.raises(AuthExpired) as caught:
        connector.classify(response(name))

    assert words in caught.value.message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("video_init_error_unaudited_client_403", "only to private accounts"),
        ("video_init_error_privacy_level_option_mismatch_403", "choose who can watch again"),
        ("video_init_error_spam_risk_user_banned_from_posting_403", "does not let this account"),
        ("video_init_error_url_ownership_unverified_403", "has not verified"),
        ("video_init_error_invalid_param_400", "TikTok refused"),
        ("status_fetch_error_invalid_publish_id_400", "TikTok refused"),
    ],
)
def test_refusals_are_permanent_and_readable(name, words):
    with pytest.raises(Permanent) as caught:
        connector.classify(response(name))

    assert words in caught.value.message
    assert "_" not in caught.value.message.split(":")[0]  # words, not an error code


def test_creator_info_is_parsed():
    info = CreatorInfo.from_data(fixture("creator_info_query_ok")["payload"]["data"])

    assert info == CreatorInfo(
        nickname="TikTok Official",
        privacy_options=("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"),
        disabled=frozenset({"stitch"}),
        max_duration=300,
    )
    assert info.limits() == {
        "privacy_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
        "max_duration": 300,
    }


def video(size: int) -> MediaItem:
    return MediaItem("video", "video/mp4", size, "https://media.example/v.mp4", lambda: None)


@pytest.mark.parametrize(("size", "unfinished"), [(50_000_123, True), (20_000_000, False)])
def test_an_upload_short_of_the_file_is_unfinished(size, unfinished):
    data = fixture("status_fetch_processing_upload")["payload"]["data"]  # 20,000,000 bytes in

    assert publish._upload_unfinished(data, video(size)) is unfinished


def test_a_completed_post_is_not_an_unfinished_upload():
    data = fixture("status_fetch_publish_complete")["payload"]["data"]

    assert publish._upload_unfinished(data, video(10)) is False


def creator_info() -> CreatorInfo:
    return CreatorInfo.from_data(fixture("creator_info_query_ok")["payload"]["data"])


def test_post_info_sends_the_chosen_audience_and_interactions_the_creator_allows():
    request = PublishRequest(
        "Dance",
        options={
            "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
            "allow_comment": True,
            "allow_stitch": True,  # the creator disabled Stitch: it stays off
        },
    )

    assert publish.post_info(request, creator_info()) == {
        "title": "Dance",
        "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
        "disable_comment": False,
        "disable_duet": True,  # not turned on
        "disable_stitch": True,
    }


@pytest.mark.parametrize("options", [{}, {"privacy_level": "FOLLOWER_OF_CREATOR"}])
def test_post_info_never_assumes_an_audience(options):
    with pytest.raises(Permanent) as caught:
        publish.post_info(PublishRequest("Dance", options=options), creator_info())

    assert "choose who can watch" in caught.value.message
    assert "Everyone, Friends, Only me" in caught.value.message
