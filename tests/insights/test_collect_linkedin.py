"""LinkedIn page post metrics read through the real path: published posts, enrolment, the
collector, the emulator's share statistics (docs/emulator.md, "Metrics (LinkedIn)")."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from insights import collection, enrolment, followers
from insights.collection import HELD_ACCOUNT_DELAY
from insights.models import FollowerCount, MetricSnapshot, PostInsight
from tests.insights.connected import connect, earlier_post, plant
from tests.insights.history import published

ORG = "90000001"


@pytest.fixture
def page(client, owner, workspace, emulator):
    return connect(client, owner, workspace, "linkedin")["linkedin"]


def emulator_statistics(account, urn: str) -> dict:
    query = (
        "q=organizationalEntity"
        f"&organizationalEntity={quote(f'urn:li:organization:{ORG}', safe='')}"
        f"&shares=List({quote(urn, safe='')})"
    )
    body = requests.get(
        f"{settings.EMULATOR_URL}/linkedin-api/rest/organizationalEntityShareStatistics?{query}",
        headers={
            "Authorization": f"Bearer {account.access_token}",
            "LinkedIn-Version": settings.LINKEDIN_API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        },
        timeout=5,
    ).json()
    return body["elements"][0]["totalShareStatistics"]


def enrol(account, emulator, count: int = 1, hours: float = 2) -> list[PostInsight]:
    urns = [earlier_post(emulator, "linkedin", ORG, hours + n) for n in range(count)]
    for urn in urns:
        published(
            account, platform_post_id=urn, published_at=timezone.now() - timedelta(hours=hours)
        )
    assert len(enrolment.enrol_published()) == count
    return list(PostInsight.objects.filter(platform_post_id__in=urns).order_by("pk"))


def test_readings_hold_the_emulators_numbers_and_grow(page, emulator):
    insights = enrol(page, emulator, count=3)
    before = emulator_statistics(page, insights[0].platform_post_id)
    assert collection.collect_due(timezone.now()).read == 3
    # One call for the three posts (metrics_batch_size), after the test's own.
    (_, call) = emulator.requests("linkedin", "linkedin.share_statistics")
    assert call["query"]["shares"].count("urn:li:share:") == 3
    after = emulator_statistics(page, insights[0].platform_post_id)
    first = insights[0]
    first.refresh_from_db()
    for ours, theirs in (
        ("impressions", "impressionCount"),
        ("reach", "uniqueImpressionsCount"),
        ("clicks", "clickCount"),
        ("likes", "likeCount"),
        ("comments", "commentCount"),
        ("shares", "shareCount"),
    ):
        assert before[theirs] <= getattr(first, ours) <= after[theirs], ours
    assert first.engagements == first.clicks + first.likes + first.comments + first.shares
    assert (first.saves, first.video_views) == (None, None)

    emulator.control("POST", "clock", {"advance": 2 * 86_400})
    seen = first.impressions
    assert collection.collect_due(timezone.now() + timedelta(days=2)).read == 3
    first.refresh_from_db()
    assert first.impressions > seen
    assert MetricSnapshot.objects.filter(insight=first).count() == 2


def test_a_missing_permission_defers_with_the_reason(client, owner, workspace, emulator):
    # Without rw_organization_admin LinkedIn lists no pages to choose: connect with it, then
    # stand for an account connected before Mixora asked for it.
    page = connect(client, owner, workspace, "linkedin")["linkedin"]
    page.scopes = ["r_organization_social", "w_organization_social"]
    page.save(update_fields=["scopes"])
    (insight,) = enrol(page, emulator)
    now = timezone.now()
    assert collection.collect_due(now).deferred == 1
    insight.refresh_from_db()
    assert "rw_organization_admin" in insight.last_error
    assert insight.next_collect_at == now + HELD_ACCOUNT_DELAY
    assert not emulator.requests("linkedin", "linkedin.share_statistics")


def test_a_rate_limit_defers_until_linkedins_daily_reset(page, emulator):
    (insight,) = enrol(page, emulator)
    emulator.fail_next("linkedin", "linkedin.share_statistics", "rate_limit")
    assert collection.collect_due(timezone.now()).deferred == 1
    insight.refresh_from_db()
    assert "daily limit" in insight.last_error
    midnight = (timezone.now() + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert insight.next_collect_at == midnight


def test_follower_count_matches_the_page(page, emulator):
    plant(emulator, "linkedin", ORG, audience=812, growth_per_day=0)
    assert followers.record_followers(page, date(2026, 12, 6)) == 812
    assert FollowerCount.objects.get(account=page).followers == 812
