"""How often a channel is polled: busy channels at INBOX_POLL_SECONDS, quiet ones less often,
and all of them slower when the day's polling quota runs out faster than the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from connections.platforms.registry import network_for
from connections.platforms.youtube import cadence, quota
from inbox import polling
from inbox.models import PollState
from tests.platforms.youtube.helpers import comment, video

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(accounts, settings):
    settings.INBOX_POLL_SECONDS = 300
    return accounts["youtube"]


def interval(channel) -> int:
    return network_for(channel).poll_interval_seconds(channel)


@pytest.mark.parametrize(
    ("age", "factor"),
    [
        (timedelta(minutes=5), 1),
        (timedelta(hours=5), 2),
        (timedelta(days=2), 4),
        (timedelta(days=20), 8),
    ],
)
def test_the_older_the_newest_comment_the_slower(age, factor):
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)

    assert cadence.activity_factor(now - age, now) == factor
    assert cadence.activity_factor(None, now) == 1  # never polled: the base interval


def test_a_quiet_channel_is_polled_less_and_a_busy_one_at_the_base_interval(emulator, channel):
    assert interval(channel) == 300  # never polled

    polling.poll(channel)  # no comment at all
    assert interval(channel) == 300 * cadence.QUIET

    comment(emulator, channel, "Hi!", video_id=video(emulator, channel))
    polling.poll(channel)
    assert interval(channel) == 300


def test_polling_slows_down_as_the_quota_runs_low(emulator, channel, settings):
    comment(emulator, channel, "Hi!", video_id=video(emulator, channel))
    polling.poll(channel)
    assert interval(channel) == 300  # a busy channel, the whole allowance ahead

    allowance = settings.YOUTUBE_DAILY_QUOTA_UNITS - settings.YOUTUBE_QUOTA_RESERVE_UNITS
    quota.spend(allowance - quota.used_units())

    assert interval(channel) == 300 * cadence.MAX_SLOWDOWN


def test_due_accounts_follows_each_channels_interval(emulator, channel):
    polling.poll(channel)  # quiet: 8 x 300 s

    def polled_ago(seconds: int) -> list:
        PollState.objects.filter(account=channel).update(
            last_polled_at=timezone.now() - timedelta(seconds=seconds)
        )
        return polling.due_accounts()

    assert polled_ago(310) == []
    assert [a.pk for a in polled_ago(300 * cadence.QUIET + 10)] == [channel.pk]
