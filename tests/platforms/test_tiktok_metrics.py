"""The TikTok metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

import pytest

from connections.errors import AuthExpired, RateLimited
from connections.models import ConnectedAccount
from connections.platforms.network import PostMetrics
from connections.platforms.tiktok import NETWORKS, metrics
from connections.platforms.tiktok.connector import SCOPES, classify
from tests.contract_samples import http_response, sample_response
from tests.contracts.metrics_samples import (
    TIKTOK_SCOPE_PERMISSION_MISSED,
    TIKTOK_USER_STATS,
    TIKTOK_VIDEO_QUERY,
)

TIKTOK = NETWORKS[0]


def test_video_counts_become_mixoras_numbers():
    assert metrics.parse(TIKTOK_VIDEO_QUERY) == {
        "1234123412345678567": PostMetrics(
            impressions=5021,
            engagements=143 + 9 + 4,  # likes, comments, shares
            likes=143,
            comments=9,
            shares=4,
            video_views=5021,
        ),
        "1010102020203030303": PostMetrics(
            impressions=12, engagements=0, likes=0, comments=0, shares=0, video_views=12
        ),
    }


def test_a_video_tiktok_leaves_out_has_no_reading():
    assert metrics.parse({"data": {"videos": []}, "error": {"code": "ok"}}) == {}
    assert metrics.parse({"data": {}, "error": TIKTOK_SCOPE_PERMISSION_MISSED["error"]}) == {}


def test_followers_come_from_user_info():
    assert metrics.parse_followers(TIKTOK_USER_STATS) == 15234
    assert metrics.parse_followers({"data": {"user": {"open_id": "x"}}}) is None


def test_errors_are_classified():
    with pytest.raises(AuthExpired):
        classify(http_response(400, TIKTOK_SCOPE_PERMISSION_MISSED))
    with pytest.raises(RateLimited):
        classify(sample_response("tiktok", "video_init_error_rate_limit_exceeded_429"))


def test_twenty_videos_a_query_with_scopes_mixora_asks_for():
    assert TIKTOK.metrics_batch_size == 20
    assert {metrics.VIDEO_SCOPE, metrics.STATS_SCOPE} <= set(SCOPES)
    assert "saves" not in TIKTOK.metrics_fields
    assert TIKTOK.metrics_notes["saves"]
    before = ConnectedAccount(platform="tiktok", scopes=["user.info.basic", "video.publish"])
    assert "video.list" in TIKTOK.metrics_refusal(before)
    assert TIKTOK.metrics_refusal(ConnectedAccount(platform="tiktok", scopes=SCOPES)) == ""


def test_an_account_connected_before_followers_were_asked_is_told_to_reconnect():
    before = ConnectedAccount(platform="tiktok", scopes=["user.info.basic", "video.list"])
    assert TIKTOK.followers_refusal(before) == (
        "Reconnect and allow user.info.stats to see this account's followers."
    )
    assert TIKTOK.metrics_refusal(before) == ""  # its videos' numbers are still read
    assert TIKTOK.followers_refusal(ConnectedAccount(platform="tiktok", scopes=list(SCOPES))) == ""
