"""The Instagram metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

from connections.platforms.meta import metrics
from connections.platforms.network import PostMetrics
from tests.contract_samples import http_response
from tests.contracts.metrics_samples import (
    INSTAGRAM_MEDIA_INSIGHTS,
    INSTAGRAM_NO_DATA,
    INSTAGRAM_NOT_ENOUGH_VIEWERS,
)


def test_media_insights():
    assert metrics.parse_instagram(INSTAGRAM_MEDIA_INSIGHTS) == PostMetrics(
        impressions=2210,
        reach=1502,
        engagements=120,  # total_interactions, as Instagram counts it
        likes=96,
        comments=8,
        shares=5,
        saves=11,
    )


def test_no_data_is_no_reading():
    assert metrics.parse_instagram(INSTAGRAM_NO_DATA) is None


def test_not_enough_viewers_is_no_data_yet():
    reading = metrics.classify_reading(http_response(400, INSTAGRAM_NOT_ENOUGH_VIEWERS))
    assert reading == {"data": []}
    assert metrics.parse_instagram(reading) is None


def test_the_deprecated_metrics_are_not_asked_for():
    assert not {"impressions", "plays", "video_views"} & set(metrics.INSTAGRAM_METRICS)
