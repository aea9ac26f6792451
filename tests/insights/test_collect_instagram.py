"""Instagram media metrics read through the real path: a published post, enrolment, the
collector, the emulator's insights (docs/emulator.md, "Metrics (Instagram)")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from tests.insights.connected import connect, earlier_post, plant
from tests.insights.history import published

IG = "17841400000000001"
ALL = "views,reach,likes,comments,shares,saved,total_interactions"


@pytest.fixture
def instagram(client, owner, workspace, emulator):
    return connect(client, owner, workspace, "meta")["instagram"]


def emulator_values(account, media_id: str) -> dict[str, int]:
    body = requests.get(
        f"{settings.EMULATOR_URL}/graph/{settings.META_GRAPH_VERSION}/{media_id}/insights",
        params={"metric": ALL},
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=5,
    ).json()
    return {item["name"]: item["values"][0]["value"] for item in body["data"]}


def enrolled(account, emulator, hours: float = 2) -> PostInsight:
    media_id = earlier_post(emulator, "instagram", IG, hours)
    published(
        account, platform_post_id=media_id, published_at=timezone.now() - timedelta(hours=hours)
    )
    assert len(enrolment.enrol_published()) == 1
    return PostInsight.objects.get(platform_post_id=media_id)


def test_readings_hold_the_emulators_numbers_and_grow(instagram, emulator):
    insight = enrolled(instagram, emulator)
    before = emulator_values(instagram, insight.platform_post_id)
    assert collection.collect_due(timezone.now()).read == 1
    after = emulator_values(instagram, insight.platform_post_id)
    insight.refresh_from_db()
    for ours, theirs in (
        ("impressions", "views"),
        ("reach", "reach"),
        ("likes", "likes"),
        ("comments", "comments"),
        ("shares", "shares"),
        ("saves", "saved"),
        ("engagements", "total_interactions"),
    ):
        assert before[theirs] <= getattr(insight, ours) <= after[theirs], ours
    assert (insight.clicks, insight.video_views) == (None, None)

    emulator.control("POST", "clock", {"advance": 3 * 86_400})
    first = insight.impressions
    assert collection.collect_due(timezone.now() + timedelta(days=3)).read == 1
    insight.refresh_from_db()
    assert insight.impressions > first
    assert MetricSnapshot.objects.filter(insight=insight).count() == 2


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    account = connect(client, owner, workspace, "meta", drop_scopes=("instagram_manage_insights",))[
        "instagram"
    ]
    insight = enrolled(account, emulator)
    now = timezone.now()
    assert collection.collect_due(now).deferred == 1
    insight.refresh_from_db()
    assert "instagram_manage_insights" in insight.last_error
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY


def test_a_rate_limit_defers_until_meta_says(instagram, emulator):
    insight = enrolled(instagram, emulator)
    emulator.fail_next("meta", "meta.ig_media_insights", "rate_limit", reset_after=1200)
    assert collection.collect_due(timezone.now()).deferred == 1
    insight.refresh_from_db()
    assert "throttling" in insight.last_error
    wait = insight.next_collect_at - timezone.now()
    assert timedelta(minutes=19) < wait <= timedelta(minutes=20)


def test_follower_count_matches_the_account(instagram, emulator):
    plant(emulator, "instagram", IG, audience=3333, growth_per_day=0)
    assert followers.record_followers(instagram, date(2026, 12, 6)) == 3333
    assert FollowerCount.objects.get(account=instagram).followers == 3333
