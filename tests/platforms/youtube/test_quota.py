"""The project's daily YouTube quota: shared by every workspace, charged before each call,
replies reserved ahead of polling, Google's quotaExceeded closing the day."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from connections.errors import RateLimited
from connections.platforms.registry import network
from connections.platforms.youtube import quota
from inbox import polling, replies
from inbox.models import Conversation, Message, PollState
from tests.platforms.youtube.helpers import comment, video

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(settings):
    """A small day: 60 units, 50 of them kept for replies (one comments.insert)."""
    settings.YOUTUBE_DAILY_QUOTA_UNITS = 60
    settings.YOUTUBE_QUOTA_RESERVE_UNITS = 50
    return settings


def leave(units: int, *, polling: bool = False) -> None:
    """Spend today's quota (connecting the channel already cost a channels.list) down to
    `units` left, for polling or for everything."""
    limit = quota.settings.YOUTUBE_DAILY_QUOTA_UNITS
    if polling:
        limit -= quota.settings.YOUTUBE_QUOTA_RESERVE_UNITS
    quota.spend(limit - units - quota.used_units())


def thread_calls(emulator) -> int:
    return len(emulator.requests("google", "youtube.comment_threads"))


def test_polling_stops_at_the_reserve_and_a_reply_still_goes_out(emulator, accounts, owner, budget):
    channel = accounts["youtube"]
    comment(emulator, channel, "Do you ship to Spain?", video_id=video(emulator, channel))
    leave(1, polling=True)  # other channels were polled today

    assert polling.poll(channel) == 1  # the 10th unit: all polling may spend
    calls = thread_calls(emulator)
    assert polling.poll(channel) == 0

    assert thread_calls(emulator) == calls  # refused before any HTTP
    assert "kept for replies" in PollState.objects.get(account=channel).last_error
    reply = replies.create_reply(
        Conversation.objects.get(), owner.user, "Yes, we do!", typed_by_person=True
    )
    assert replies.send(reply.pk) == "sent"
    assert quota.used_units() == 60
    assert [r["text"] for r in emulator.control("GET", "replies?platform=youtube")] == [
        "Yes, we do!"
    ]


def test_a_refused_call_is_rate_limited_until_midnight_pacific_without_http(
    emulator, accounts, budget
):
    channel = accounts["youtube"]
    leave(0)
    before = len(emulator.requests("google"))

    with pytest.raises(RateLimited) as caught:
        network("youtube").client.api(
            "GET", "/channels", channel.access_token, params={"part": "id"}
        )

    assert len(emulator.requests("google")) == before
    retry_at = caught.value.retry_at
    assert retry_at == quota.next_pacific_midnight()
    pacific = retry_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (pacific.hour, pacific.minute) == (0, 0)


def test_googles_quota_exceeded_closes_the_day_for_every_account(emulator, accounts):
    channel = accounts["youtube"]
    comment(emulator, channel, "Hello?", video_id=video(emulator, channel))
    emulator.control("POST", "behaviour", {"platform": "google", "daily_quota": 0})

    assert polling.poll(channel) == 0
    calls = thread_calls(emulator)
    assert polling.poll(channel) == 0

    assert thread_calls(emulator) == calls == 1
    assert quota.used_units() == quota.settings.YOUTUBE_DAILY_QUOTA_UNITS
    assert "quota" in PollState.objects.get(account=channel).last_error
    assert not Message.objects.exists()


def test_uploads_have_their_own_daily_bucket(settings):
    settings.YOUTUBE_DAILY_UPLOADS = 0
    with pytest.raises(RateLimited):
        quota.spend_upload()

    leave(0)  # units are a separate count
    settings.YOUTUBE_DAILY_UPLOADS = 1
    quota.spend_upload()
