"""Which published posts analytics follows, how each is described, when it is read, and what
happens to its metrics when its account goes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.workspaces import update_workspace
from connections.models import ConnectedAccount
from insights import collection, enrolment, local_times, rollups
from insights.models import DailyRollup, FollowerCount, MetricSnapshot, PostInsight
from insights.schedule import READINGS, first_collection, next_collection, retry_delay
from tests.factories import WorkspaceFactory
from tests.insights.history import published

T0 = datetime(2026, 3, 3, 12, 30, tzinfo=UTC)  # a Tuesday; 13:30 in Paris


@pytest.fixture
def account(db):
    workspace = WorkspaceFactory(slug="roast", timezone="Europe/Paris")
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1500000000000000001", display_name="Roast"
    )


def test_readings_widen_up_to_thirty_days_then_stop():
    assert first_collection(T0, T0) == T0 + timedelta(hours=1)
    later = T0 + timedelta(days=45)
    assert first_collection(T0, later) == later  # first seen late: read at once, then done
    assert next_collection(T0, later) is None
    moments, now = [], T0 + READINGS[0]
    while now is not None:
        moments.append(now - T0)
        now = next_collection(T0, now)
    assert moments == list(READINGS)
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert retry_delay(20) == timedelta(hours=6)


def test_enrolment_describes_each_published_target_once(account):
    video = published(
        account,
        platform_post_id="1",
        published_at=T0,
        text="New beans #coffee #roast",
        media_kinds=("video",),
    )
    published(account, platform_post_id="2", published_at=T0, media_kinds=("image", "image"))
    published(account, platform_post_id="3", published_at=T0, media_kinds=("image",))
    published(account, platform_post_id="4", published_at=T0)
    draft = published(account, platform_post_id="", published_at=T0)

    assert len(enrolment.enrol_published()) == 4
    assert enrolment.enrol_published() == []
    formats = dict(PostInsight.objects.values_list("platform_post_id", "format"))
    assert formats == {"1": "video", "2": "carousel", "3": "image", "4": "text"}
    insight = PostInsight.objects.get(target=video)
    assert (insight.local_weekday, insight.local_hour, insight.local_day) == (1, 13, T0.date())
    assert (insight.caption_length, insight.hashtag_count) == (24, 2)
    assert insight.workspace_id == account.workspace_id
    assert not PostInsight.objects.filter(target=draft).exists()


def test_an_account_that_cannot_be_read_waits_without_a_call(account, emulator):
    account.status = ConnectedAccount.Status.NEEDS_RECONNECT
    account.save()
    published(account, platform_post_id="1", published_at=T0)
    enrolment.enrol_published(now=T0)
    now = T0 + timedelta(hours=2)

    outcome = collection.collect_due(now)

    assert (outcome.read, outcome.deferred) == (0, 1)
    insight = PostInsight.objects.get()
    assert insight.next_collect_at == now + collection.HELD_ACCOUNT_DELAY
    assert "needs reconnect" in insight.last_error
    assert emulator.requests(platform="x") == []


def test_a_claim_is_leased_so_no_other_worker_reads_it(account):
    published(account, platform_post_id="1", published_at=T0)
    enrolment.enrol_published(now=T0)
    now = T0 + timedelta(hours=2)
    assert [i.platform_post_id for i in collection.claim_due(now)] == ["1"]
    assert collection.claim_due(now) == []
    assert collection.claim_due(now + collection.LEASE) != []


def test_rollups_sum_each_account_day(account):
    for number, hours in enumerate((0, 1, 30)):
        published(account, platform_post_id=str(number), published_at=T0 + timedelta(hours=hours))
    enrolment.enrol_published()
    PostInsight.objects.update(impressions=100, reach=80, engagements=5, engagement_rate=0.05)
    rollups.refresh({(account.pk, T0.date()), (account.pk, date(2026, 3, 4))})
    days = {r.day: r for r in DailyRollup.objects.all()}
    assert days[T0.date()].posts == 2
    assert (days[T0.date()].impressions, days[T0.date()].engagements) == (200, 10)
    assert days[T0.date()].rate_sum == pytest.approx(0.1)
    assert days[date(2026, 3, 4)].posts == 1
    PostInsight.objects.filter(platform_post_id="0").delete()
    rollups.refresh({(account.pk, T0.date())})
    assert DailyRollup.objects.get(day=T0.date()).posts == 1


def test_disconnecting_deletes_the_accounts_metrics(account):
    published(account, platform_post_id="1", published_at=T0)
    (insight,) = enrolment.enrol_published()
    insight = PostInsight.objects.get()
    MetricSnapshot.objects.create(insight=insight, taken_at=T0, impressions=3)
    FollowerCount.objects.create(
        account=account, workspace=account.workspace, day=T0.date(), followers=9
    )
    rollups.refresh({(account.pk, T0.date())})
    account.delete()
    assert not PostInsight.objects.exists()
    assert not MetricSnapshot.objects.exists()
    assert not FollowerCount.objects.exists()
    assert not DailyRollup.objects.exists()


def test_deleting_a_post_takes_it_out_of_its_days_sums(account, django_capture_on_commit_callbacks):
    for number in range(2):
        published(account, platform_post_id=str(number), published_at=T0)
    enrolment.enrol_published()
    rollups.refresh({(account.pk, T0.date())})
    with django_capture_on_commit_callbacks(execute=True):
        PostInsight.objects.get(platform_post_id="0").target.post.delete()
    assert DailyRollup.objects.get(day=T0.date()).posts == 1


def test_a_new_time_zone_moves_every_posts_local_time(
    account, celery_queue, django_capture_on_commit_callbacks
):
    published(account, platform_post_id="1", published_at=T0)  # 13:30 on Tuesday in Paris
    enrolment.enrol_published(now=T0)
    rollups.refresh({(account.pk, T0.date())})
    workspace = account.workspace

    with django_capture_on_commit_callbacks(execute=True):
        update_workspace(workspace, None, timezone="Asia/Tokyo")
    assert celery_queue() == [("insights.tasks.relocalize", [workspace.pk])]
    assert local_times.relocalize(workspace) == 1

    insight = PostInsight.objects.get()
    assert (insight.local_weekday, insight.local_hour) == (1, 21)  # 21:30 in Tokyo
    assert insight.local_day == T0.date()
    assert list(DailyRollup.objects.values_list("day", "posts")) == [(T0.date(), 1)]
    update_workspace(workspace, None, timezone="America/Los_Angeles")
    local_times.relocalize(workspace)
    insight.refresh_from_db()
    assert (insight.local_day, insight.local_weekday, insight.local_hour) == (
        date(2026, 3, 3),
        1,
        4,
    )
