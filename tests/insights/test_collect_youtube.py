"""YouTube video statistics read through the real path: published videos, enrolment, the
collector, the emulator's videos.list, within the project's shared daily quota
(docs/emulator.md, "Metrics (YouTube)")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from connections.platforms.registry import network_for
from connections.platforms.youtube import quota
from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from tests.emulator.earlier_posts import DAY, earlier_post, settled
from tests.insights.connected import plant
from tests.insights.history import published
from tests.insights.one_account import connect_one

CHANNEL = "UCdemo0000000000000000001"
READ = "https://www.googleapis.com/auth/youtube.readonly"
MANAGE = "https://www.googleapis.com/auth/youtube.force-ssl"


@pytest.fixture
def account(client, owner, workspace, emulator):
    return connect_one(client, owner, workspace, "google", "youtube")


def enrol(account, emulator, age: float, text: str = "Roasting day") -> tuple[PostInsight, dict]:
    """A public video the emulator holds, `age` seconds old, published through Mixora and
    enrolled; with the emulator's post."""
    post = earlier_post(emulator, "youtube", CHANNEL, age=age, text=text)
    when = datetime.fromisoformat(post["created_time"].replace("Z", "+00:00")).astimezone(UTC)
    published(
        account, platform_post_id=post["id"], published_at=when, text=text, media_kinds=("video",)
    )
    enrolment.enrol_published()
    return PostInsight.objects.get(platform_post_id=post["id"]), post


def test_readings_hold_the_emulators_numbers_and_grow(account, emulator):
    old, old_post = enrol(account, emulator, 29 * DAY, "Last month's roast")
    fresh, fresh_post = enrol(account, emulator, 2 * 3600)
    units = quota.used_units()

    outcome = collection.collect_due(timezone.now())

    assert (outcome.read, outcome.deferred, outcome.failed) == (2, 0, 0)
    [call] = emulator.requests("google", "youtube.videos")  # one videos.list for both
    assert call["query"]["part"] == "statistics"
    assert sorted(call["query"]["id"].split(",")) == sorted(
        [old.platform_post_id, fresh.platform_post_id]
    )
    assert quota.used_units() == units + 1  # one unit of the shared daily quota
    old.refresh_from_db()
    model = settled(old_post)  # a month old: its lifetime totals
    assert old.impressions == old.video_views == model["video_views"] > 0
    assert (old.likes, old.comments) == (model["likes"], model["comments"])
    assert old.engagements == old.likes + old.comments
    assert (old.reach, old.shares, old.saves, old.clicks) == (None, None, None, None)
    assert MetricSnapshot.objects.get(insight=old).likes == old.likes

    fresh.refresh_from_db()
    first = fresh.impressions
    assert 0 < first < settled(fresh_post)["video_views"]
    emulator.control("POST", "clock", {"advance": DAY})  # the Google token expires meanwhile
    later = collection.collect_due(timezone.now() + timedelta(days=1))

    assert later.read >= 1
    fresh.refresh_from_db()
    assert fresh.impressions > first
    assert fresh.snapshots == 2


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    account = connect_one(client, owner, workspace, "google", "youtube", drop_scopes=(READ, MANAGE))
    insight, _ = enrol(account, emulator, 2 * 3600)
    now = timezone.now()

    outcome = collection.collect_due(now)

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error == (
        "Reconnect and allow Mixora to view the channel to see its metrics."
    )
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY
    assert emulator.requests("google", "youtube.videos") == []


def test_googles_quota_exceeded_defers_until_midnight_pacific(account, emulator):
    insight, _ = enrol(account, emulator, 2 * 3600)
    emulator.control("POST", "behaviour", {"platform": "google", "daily_quota": 0})

    outcome = collection.collect_due(timezone.now())

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error == "Mixora's daily YouTube quota is used up."
    assert insight.next_collect_at == quota.next_pacific_midnight()
    assert quota.polling_share_left() == 0  # Google's word closes the day for Mixora too


def test_metrics_never_spend_the_quota_kept_for_replies(account, emulator, settings):
    insight, _ = enrol(account, emulator, 2 * 3600)
    settings.YOUTUBE_DAILY_QUOTA_UNITS = quota.used_units() + 50
    settings.YOUTUBE_QUOTA_RESERVE_UNITS = 50  # what is left is the replies' reserve

    outcome = collection.collect_due(timezone.now())

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert "kept for replies" in insight.last_error
    assert insight.next_collect_at == quota.next_pacific_midnight()
    assert emulator.requests("google", "youtube.videos") == []  # refused before any HTTP


def test_subscribers_match_the_emulator(account, emulator):
    plant(emulator, "youtube", CHANNEL, audience=123_456, growth_per_day=0)

    assert network_for(account).follower_count(account) == 123_000  # as YouTube abbreviates
    assert followers.record_followers(account, date(2026, 12, 6)) == 123_000
    assert FollowerCount.objects.get(account=account).followers == 123_000
