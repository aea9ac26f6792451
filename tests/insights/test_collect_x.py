"""X post metrics read through the real path: published posts, enrolment, the collector, the
emulator's post lookup (docs/emulator.md, "Metrics (X)")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from connections.platforms.registry import network_for
from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from tests.emulator.earlier_posts import DAY, earlier_post, settled
from tests.insights.connected import plant
from tests.insights.history import published
from tests.insights.one_account import connect_one

USER_ID = "1500000000000000001"


@pytest.fixture
def account(client, owner, workspace, emulator):
    return connect_one(client, owner, workspace, "x", "x")


def enrol(
    account, emulator, age: float, text: str = "Spring menu is here #coffee"
) -> tuple[PostInsight, dict]:
    """A post the emulator holds, `age` seconds old, published through Mixora and enrolled;
    with the emulator's post."""
    post = earlier_post(emulator, "x", USER_ID, age=age, text=text)
    when = datetime.fromisoformat(post["created_time"].replace("Z", "+00:00")).astimezone(UTC)
    published(account, platform_post_id=post["id"], published_at=when, text=text)
    enrolment.enrol_published()
    return PostInsight.objects.get(platform_post_id=post["id"]), post


def test_readings_hold_the_emulators_numbers_and_grow(account, emulator):
    old, old_post = enrol(account, emulator, 29 * DAY, "Last month's special")
    fresh, fresh_post = enrol(account, emulator, 2 * 3600)

    outcome = collection.collect_due(timezone.now())

    assert (outcome.read, outcome.deferred, outcome.failed) == (2, 0, 0)
    [call] = emulator.requests("x", "x.tweets_lookup")  # one lookup for both
    assert sorted(call["query"]["ids"].split(",")) == sorted(
        [old.platform_post_id, fresh.platform_post_id]
    )
    assert call["query"]["tweet.fields"] == "public_metrics"
    old.refresh_from_db()
    model = settled(old_post)  # a month old: its lifetime totals
    assert old.impressions == model["impressions"] > 0
    assert old.likes == model["likes"]
    assert old.comments == model["comments"]
    assert old.shares == model["shares"]  # reposts and quotes
    assert old.saves == model["saves"]  # bookmarks
    assert old.engagements == old.likes + old.comments + old.shares + old.saves
    assert (old.reach, old.clicks, old.video_views) == (None, None, None)
    assert old.engagement_rate == pytest.approx(old.engagements / old.impressions)
    snapshot = MetricSnapshot.objects.get(insight=old)
    assert (snapshot.impressions, snapshot.likes) == (old.impressions, old.likes)

    fresh.refresh_from_db()
    first = fresh.impressions
    assert 0 < first < settled(fresh_post)["impressions"]
    emulator.control("POST", "clock", {"advance": DAY})  # the X token expires meanwhile
    later = collection.collect_due(timezone.now() + timedelta(days=1))

    assert later.read >= 1
    fresh.refresh_from_db()
    assert fresh.impressions > first
    assert fresh.snapshots == 2
    assert MetricSnapshot.objects.filter(insight=fresh).count() == 2


def test_a_post_deleted_on_x_has_no_numbers_and_the_schedule_goes_on(account, emulator):
    insight, _ = enrol(account, emulator, 2 * 3600)
    deleted = requests.delete(  # on X itself
        f"{settings.EMULATOR_URL}/x-api/2/tweets/{insight.platform_post_id}",
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=5,
    )
    assert deleted.status_code == 200

    outcome = collection.collect_due(timezone.now())

    assert outcome.read == 1
    insight.refresh_from_db()
    assert (insight.snapshots, insight.impressions) == (0, None)
    assert insight.next_collect_at is not None


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    account = connect_one(client, owner, workspace, "x", "x", drop_scopes=("users.read",))
    insight, _ = enrol(account, emulator, 2 * 3600)
    now = timezone.now()

    outcome = collection.collect_due(now)

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error == "Reconnect and allow users.read to see this account's metrics."
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY
    assert emulator.requests("x", "x.tweets_lookup") == []


def test_a_rate_limit_defers_until_xs_reset(account, emulator):
    insight, _ = enrol(account, emulator, 2 * 3600)
    emulator.fail_next("x", "x.tweets_lookup", "rate_limit", reset_after=600)

    outcome = collection.collect_due(timezone.now())

    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert insight.last_error == "X is rate limiting this account."
    wait = insight.next_collect_at - timezone.now()
    assert timedelta(seconds=590) < wait <= timedelta(seconds=600)
    assert insight.snapshots == 0


def test_follower_count_matches_the_emulator(account, emulator):
    plant(emulator, "x", USER_ID, audience=7777, growth_per_day=0)

    assert network_for(account).follower_count(account) == 7777
    assert followers.record_followers(account, date(2026, 12, 6)) == 7777
    assert FollowerCount.objects.get(account=account).followers == 7777
    query = emulator.requests("x", "x.users_me")[-1]["query"]
    assert query["user.fields"] == "public_metrics"
