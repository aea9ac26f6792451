"""TikTok video metrics read through the real path: published videos, enrolment, the collector,
the emulator's video query (docs/emulator.md, "Metrics (TikTok)")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from connections.platforms.registry import network_for
from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from tests.emulator.earlier_posts import DAY, earlier_post, settled
from tests.insights.connected import plant
from tests.insights.history import published
from tests.insights.one_account import connect_one

OPEN_ID = "tt-open-000001"


@pytest.fixture
def account(client, owner, workspace, emulator):
    return connect_one(client, owner, workspace, "tiktok", "tiktok")


def enrol(
    account, emulator, age: float, text: str = "Latte art #coffee"
) -> tuple[PostInsight, dict]:
    """A public video the emulator holds, `age` seconds old, published through Mixora and
    enrolled; with the emulator's post."""
    post = earlier_post(emulator, "tiktok", OPEN_ID, age=age, text=text)
    when = datetime.fromisoformat(post["created_time"].replace("Z", "+00:00")).astimezone(UTC)
    published(
        account, platform_post_id=post["id"], published_at=when, text=text, media_kinds=("video",)
    )
    enrolment.enrol_published()
    return PostInsight.objects.get(platform_post_id=post["id"]), post


def test_readings_hold_the_emulators_numbers_and_grow(account, emulator):
    old, old_post = enrol(account, emulator, 29 * DAY, "Last month's latte")
    fresh, fresh_post = enrol(account, emulator, 2 * 3600)

    outcome = collection.collect_due(timezone.now())

    assert (outcome.read, outcome.deferred, outcome.failed) == (2, 0, 0)
    [call] = emulator.requests("tiktok", "tiktok.video_query")  # one query for both
    assert sorted(call["json"]["filters"]["video_ids"]) == sorted(
        [old.platform_post_id, fresh.platform_post_id]
    )
    assert call["query"]["fields"] == "id,like_count,comment_count,share_count,view_count"
    old.refresh_from_db()
    model = settled(old_post)  # a month old: its lifetime totals
    assert old.impressions == old.video_views == model["video_views"] > 0
    assert (old.likes, old.comments, old.shares) == (
        model["likes"],
        model["comments"],
        model["shares"],
    )
    assert old.engagements == old.likes + old.comments + old.shares
    assert (old.reach, old.saves, old.clicks) == (None, None, None)
    assert MetricSnapshot.objects.get(insight=old).video_views == old.video_views

    fresh.refresh_from_db()
    first = fresh.impressions
    assert 0 < first < settled(fresh_post)["video_views"]
    emulator.control("POST", "clock", {"advance": DAY})  # the TikTok token expires meanwhile
    later = collection.collect_due(timezone.now() + timedelta(days=1))

    assert later.read >= 1
    fresh.refresh_from_db()
    assert fresh.impressions > first
    assert fresh.snapshots == 2


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    account = connect_one(client, owner, workspace, "tiktok", "tiktok", drop_scopes=("video.list",))
    insight, _ = enrol(account, emulator, 2 * 3600)
    now = timezone.now()

    outcome = collection.collect_due(now)

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error == (
        "Reconnect and allow video.list to see this account's video metrics."
    )
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY
    assert emulator.requests("tiktok", "tiktok.video_query") == []


def test_a_rate_limit_defers_for_tiktoks_window(account, emulator):
    insight, _ = enrol(account, emulator, 2 * 3600)
    emulator.fail_next("tiktok", "tiktok.video_query", "rate_limit")
    before = timezone.now()

    outcome = collection.collect_due(before)

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error.startswith("TikTok is rate limiting")
    # TikTok names no reset time: its per-minute window.
    assert before + timedelta(minutes=1) <= insight.next_collect_at
    assert insight.next_collect_at <= timezone.now() + timedelta(minutes=1)


def test_follower_count_matches_the_emulator(account, emulator):
    plant(emulator, "tiktok", OPEN_ID, audience=4242, growth_per_day=0)

    assert network_for(account).follower_count(account) == 4242
    assert followers.record_followers(account, date(2026, 12, 6)) == 4242
    assert FollowerCount.objects.get(account=account).followers == 4242


def test_no_follower_count_without_user_info_stats(client, owner, workspace, emulator):
    account = connect_one(
        client, owner, workspace, "tiktok", "tiktok", drop_scopes=("user.info.stats",)
    )
    calls = len(emulator.requests("tiktok", "tiktok.user_info"))

    assert followers.record_followers(account, date(2026, 12, 6)) is None

    assert len(emulator.requests("tiktok", "tiktok.user_info")) == calls  # not even asked
    account.refresh_from_db()
    assert account.status == account.Status.ACTIVE  # not marked for reconnecting
