"""The X metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connections.errors import RateLimited
from connections.models import ConnectedAccount
from connections.platforms.network import PostMetrics
from connections.platforms.x import NETWORKS, metrics
from connections.platforms.x.connector import SCOPES, classify
from tests.contract_samples import sample_response
from tests.contracts.metrics_samples import (
    X_POST_PUBLIC_METRICS,
    X_POST_QUICKSTART,
    X_POSTS_PARTIAL,
    X_USERS_ME,
)

X = NETWORKS[0]


def test_public_metrics_become_mixoras_numbers():
    lookup = {"data": [X_POST_PUBLIC_METRICS["data"]]}  # the multi-post lookup's list
    assert metrics.parse(lookup) == {
        "1234567890": PostMetrics(
            impressions=5432,
            engagements=234 + 12 + 50 + 5 + 8,  # likes, replies, reposts, quotes, bookmarks
            likes=234,
            comments=12,
            shares=55,  # reposts and quotes
            saves=8,
        )
    }


def test_counts_an_answer_lacks_stay_unknown():
    lookup = {"data": [X_POST_QUICKSTART["data"]]}
    assert metrics.parse(lookup)["1228393702244134912"] == PostMetrics(
        engagements=892 + 23 + 156 + 12,
        likes=892,
        comments=23,
        shares=168,
    )


def test_reposts_are_read_under_either_name():
    renamed = {"id": "1", "public_metrics": {"repost_count": 3, "quote_count": 1}}
    assert metrics.parse({"data": [renamed]})["1"].shares == 4


def test_a_deleted_post_and_one_without_metrics_have_no_reading():
    assert metrics.parse(X_POSTS_PARTIAL) == {}
    assert metrics.parse({"errors": X_POSTS_PARTIAL["errors"]}) == {}


def test_followers_come_from_public_metrics():
    assert metrics.parse_followers(X_USERS_ME) == 583423
    assert metrics.parse_followers({"data": {"id": "1"}}) is None


def test_a_rate_limit_waits_until_xs_reset():
    with pytest.raises(RateLimited) as caught:
        classify(sample_response("x", "error_429_too_many_requests"))
    assert caught.value.retry_at == datetime.fromtimestamp(1705420800, tz=UTC)


def test_the_lookup_takes_100_ids_with_scopes_mixora_asks_for():
    assert X.metrics_batch_size == 100
    assert set(metrics.SCOPES) <= set(SCOPES)
    assert set(X.metrics_fields) == {
        "impressions",
        "engagements",
        "likes",
        "comments",
        "shares",
        "saves",
    }
    old = ConnectedAccount(platform="x", scopes=["tweet.read", "tweet.write"])
    assert X.metrics_refusal(old) == "Reconnect and allow users.read to see this account's metrics."
    assert X.metrics_refusal(ConnectedAccount(platform="x", scopes=SCOPES)) == ""
