"""The Facebook metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

import pytest

from connections.errors import Permanent
from connections.platforms.meta import metrics
from connections.platforms.network import PostMetrics
from tests.contract_samples import http_response
from tests.contracts.metrics_samples import (
    FACEBOOK_INVALID_METRIC_ERROR,
    FACEBOOK_NO_METRIC_ERROR,
    FACEBOOK_POST_FIELDS,
    FACEBOOK_POST_INSIGHTS,
)


def test_a_page_post_from_its_fields_and_insights():
    assert metrics.parse_facebook(FACEBOOK_POST_FIELDS, FACEBOOK_POST_INSIGHTS) == PostMetrics(
        impressions=1840,
        reach=1206,
        engagements=39 + 4 + 3,  # reactions, comments, shares
        likes=39,  # every reaction type
        comments=4,
        shares=3,
        clicks=12,
        video_views=None,
    )


def test_a_post_nobody_shared_has_no_shares_field():
    fields = {k: v for k, v in FACEBOOK_POST_FIELDS.items() if k != "shares"}
    parsed = metrics.parse_facebook(fields, FACEBOOK_POST_INSIGHTS)
    assert (parsed.shares, parsed.engagements) == (0, 39 + 4)


def test_without_insights_the_counts_still_come_from_the_fields():
    # A Page under 100 likes has no insights ("only available on Pages with 100 or more likes").
    parsed = metrics.parse_facebook(FACEBOOK_POST_FIELDS, {"data": []})
    assert (parsed.impressions, parsed.reach, parsed.clicks) == (None, None, None)
    assert (parsed.likes, parsed.comments, parsed.shares, parsed.engagements) == (39, 4, 3, 46)


def test_video_views_are_read_when_asked_for():
    insights = {
        "data": [
            *FACEBOOK_POST_INSIGHTS["data"],
            {"name": "post_video_views", "period": "lifetime", "values": [{"value": 410}]},
        ]
    }
    assert metrics.parse_facebook(FACEBOOK_POST_FIELDS, insights).video_views == 410


def test_only_metrics_that_still_exist_are_asked_for():
    asked = set(metrics.FACEBOOK_METRICS + metrics.FACEBOOK_VIDEO_METRICS)
    assert not {name for name in asked if name.startswith("post_impressions")}


@pytest.mark.parametrize("body", [FACEBOOK_INVALID_METRIC_ERROR, FACEBOOK_NO_METRIC_ERROR])
def test_refused_metrics_are_permanent(body):
    with pytest.raises(Permanent):
        metrics.classify_reading(http_response(400, body))


def test_a_deleted_post_is_left_out():
    gone = {"error": {"message": "Unsupported get request.", "code": 100, "error_subcode": 33}}
    assert metrics.classify_reading(http_response(400, gone)) is None
