"""Facebook Page post metrics read through the real path: a published post, enrolment, the
collector, the emulator's insights (docs/emulator.md, "Metrics (Facebook)")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from publishing import publisher
from publishing.models import PostTarget
from tests.insights.connected import connect, earlier_post, plant
from tests.insights.history import published

PAGE = "20000000000001"


@pytest.fixture
def page(client, owner, workspace, emulator):
    return connect(client, owner, workspace, "meta")["facebook"]


def graph(account, path: str, **params: str) -> dict:
    return requests.get(
        f"{settings.EMULATOR_URL}/graph/{settings.META_GRAPH_VERSION}/{path}",
        params=params,
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=5,
    ).json()


def emulator_views(account, post_id: str) -> int:
    body = graph(account, f"{post_id}/insights", metric="post_media_view")
    return body["data"][0]["values"][0]["value"]


def enrolled(account, emulator, hours: float = 2) -> PostInsight:
    post_id = earlier_post(emulator, "facebook", PAGE, hours)
    published(
        account, platform_post_id=post_id, published_at=timezone.now() - timedelta(hours=hours)
    )
    assert len(enrolment.enrol_published()) == 1
    return PostInsight.objects.get(platform_post_id=post_id)


def test_readings_hold_the_emulators_numbers_and_grow(page, emulator):
    insight = enrolled(page, emulator)
    before = emulator_views(page, insight.platform_post_id)
    outcome = collection.collect_due(timezone.now())
    after = emulator_views(page, insight.platform_post_id)
    assert (outcome.read, outcome.deferred, outcome.failed) == (1, 0, 0)

    insight.refresh_from_db()
    assert before <= insight.impressions <= after
    fields = graph(
        page,
        insight.platform_post_id,
        fields="shares,comments.limit(0).summary(true),reactions.limit(0).summary(total_count)",
    )
    assert insight.comments == fields["comments"]["summary"]["total_count"]
    assert insight.likes == fields["reactions"]["summary"]["total_count"]
    assert insight.engagements == insight.likes + insight.comments + insight.shares
    assert insight.reach > 0
    assert insight.clicks > 0
    assert insight.saves is None  # Facebook has none
    assert insight.video_views is None  # not a video post
    assert insight.engagement_rate == pytest.approx(insight.engagements / insight.impressions)
    sent = emulator.requests("meta", "meta.post_insights")[-1]["query"]["metric"]
    assert "post_impressions" not in sent

    emulator.control("POST", "clock", {"advance": 2 * 86_400})
    first_views = insight.impressions
    later = collection.collect_due(timezone.now() + timedelta(days=2))
    assert later.read == 1
    insight.refresh_from_db()
    assert insight.impressions > first_views
    assert MetricSnapshot.objects.filter(insight=insight).count() == 2


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    page = connect(client, owner, workspace, "meta", drop_scopes=("read_insights",))["facebook"]
    insight = enrolled(page, emulator)
    now = timezone.now()
    outcome = collection.collect_due(now)
    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert "read_insights" in insight.last_error
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY
    assert not emulator.requests("meta", "meta.post_insights")


def test_a_rate_limit_defers_until_meta_says(page, emulator):
    insight = enrolled(page, emulator)
    emulator.fail_next("meta", "meta.post_insights", "rate_limit", reset_after=600)
    outcome = collection.collect_due(timezone.now())
    assert outcome.deferred == 1
    insight.refresh_from_db()
    assert "throttling" in insight.last_error
    wait = insight.next_collect_at - timezone.now()
    assert timedelta(minutes=9) < wait <= timedelta(minutes=10)
    assert insight.snapshots == 0


def test_a_deleted_post_is_left_without_a_reading(page, emulator):
    insight = enrolled(page, emulator)
    requests.delete(
        f"{settings.EMULATOR_URL}/graph/{settings.META_GRAPH_VERSION}/{insight.platform_post_id}",
        headers={"Authorization": f"Bearer {page.access_token}"},
        timeout=5,
    )
    outcome = collection.collect_due(timezone.now())
    assert outcome.read == 1
    insight.refresh_from_db()
    assert (insight.snapshots, insight.impressions, insight.last_error) == (0, None, "")


def test_follower_count_matches_the_page(page, emulator):
    plant(emulator, "facebook", PAGE, audience=5120, growth_per_day=0)
    assert followers.record_followers(page, date(2026, 12, 6)) == 5120
    assert FollowerCount.objects.get(account=page).followers == 5120


@pytest.mark.django_db(transaction=True)
def test_a_video_published_by_mixora_has_video_views(accounts, emulator, scheduled_post, upload):
    page = accounts["facebook"]
    scheduled_post([page], "Latte art, slowly", [upload("video")])
    publisher.dispatch_due()
    (target,) = PostTarget.objects.filter(state=PostTarget.State.QUEUED)
    assert publisher.publish_one(target.pk) == "published"
    enrolment.enrol_published()
    emulator.control("POST", "clock", {"advance": 86_400})
    assert collection.collect_due(timezone.now() + timedelta(days=1)).read == 1
    insight = PostInsight.objects.get()
    assert insight.format == PostInsight.Format.VIDEO
    assert insight.video_views > 0
    sent = emulator.requests("meta", "meta.post_insights")[-1]["query"]["metric"]
    assert "post_video_views" in sent.split(",")
