"""The YouTube metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

import pytest

from connections.models import ConnectedAccount
from connections.platforms.network import PostMetrics
from connections.platforms.youtube import NETWORKS, metrics, quota
from connections.platforms.youtube.connector import SCOPES, classify
from tests.contract_samples import sample_response
from tests.contracts.metrics_samples import YOUTUBE_CHANNEL_STATISTICS, YOUTUBE_VIDEO_STATISTICS

YOUTUBE = NETWORKS[0]


def test_statistics_strings_become_mixoras_numbers():
    assert metrics.parse(YOUTUBE_VIDEO_STATISTICS) == {
        "Ks-_Mh1QhMc": PostMetrics(
            impressions=27016852,
            engagements=311425 + 11602,  # likes and comments
            likes=311425,
            comments=11602,
            video_views=27016852,
        )
    }


def test_a_hidden_count_stays_unknown_and_a_missing_video_has_no_reading():
    hidden = {"items": [{"id": "v1", "statistics": {"viewCount": "40", "commentCount": "2"}}]}
    assert metrics.parse(hidden)["v1"] == PostMetrics(
        impressions=40, engagements=2, comments=2, video_views=40
    )
    assert metrics.parse({"kind": "youtube#videoListResponse", "items": []}) == {}


def test_subscribers_unless_the_channel_hides_them():
    assert metrics.parse_subscribers(YOUTUBE_CHANNEL_STATISTICS) == 2440000
    [channel] = YOUTUBE_CHANNEL_STATISTICS["items"]
    hidden = {"items": [{**channel, "statistics": {"hiddenSubscriberCount": True}}]}
    assert metrics.parse_subscribers(hidden) is None
    assert metrics.parse_subscribers({"items": []}) is None


def test_a_spent_quota_waits_for_midnight_pacific():
    with pytest.raises(quota.QuotaExhausted) as caught:
        classify(sample_response("youtube", "error_quotaExceeded_403"))
    assert caught.value.retry_at == quota.next_pacific_midnight()


def test_fifty_videos_a_call_with_a_read_scope():
    assert YOUTUBE.metrics_batch_size == 50
    assert set(metrics.READ_SCOPES) & set(SCOPES)
    upload_only = ConnectedAccount(platform="youtube", scopes=[metrics.SCOPE + "youtube.upload"])
    assert YOUTUBE.metrics_refusal(upload_only).startswith("Reconnect")
    assert YOUTUBE.metrics_refusal(ConnectedAccount(platform="youtube", scopes=SCOPES)) == ""
