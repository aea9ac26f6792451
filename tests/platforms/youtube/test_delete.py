"""Deleting a video Mixora uploaded: videos.delete, charged 50 units of the shared daily quota
before it is sent. A video YouTube no longer has counts as deleted; another channel's video
is refused; without youtube.force-ssl the deletion is not offered."""

from __future__ import annotations

import pytest

from connections.errors import Permanent
from connections.platforms.registry import network
from connections.platforms.youtube import quota

pytestmark = pytest.mark.django_db


def videos(emulator, channel_id: str) -> list[str]:
    posts = emulator.control("GET", f"posts?platform=youtube&account_id={channel_id}")
    return [p["id"] for p in posts]


def earlier_video(emulator, channel_id: str, title: str) -> str:
    body = {"network": "youtube", "account_id": channel_id, "text": title}
    return emulator.control("POST", "posts", body)["id"]


def test_a_video_is_deleted_and_charged_as_a_write(accounts, emulator):
    channel = accounts["youtube"]
    video_id = earlier_video(emulator, channel.external_id, "Launch day")
    before = quota.used_units()

    network("youtube").delete_published(channel, video_id)

    assert video_id not in videos(emulator, channel.external_id)
    assert quota.used_units() - before == 50  # developers.google.com/youtube/v3/docs/videos/delete
    (call,) = emulator.requests("google", "youtube.delete")
    assert call["query"] == {"id": video_id}


def test_a_video_youtube_no_longer_has_counts_as_deleted(accounts, emulator):
    channel = accounts["youtube"]
    video_id = earlier_video(emulator, channel.external_id, "Gone")
    network("youtube").delete_published(channel, video_id)

    network("youtube").delete_published(channel, video_id)  # 404 videoNotFound

    assert len(emulator.requests("google", "youtube.delete")) == 2


def test_another_channels_video_is_refused(accounts, emulator):
    other = emulator.control(
        "POST", "users", {"platform": "google", "name": "Olga", "channel": {"title": "Olga TV"}}
    )
    theirs = earlier_video(emulator, other["channel"]["id"], "Theirs")

    with pytest.raises(Permanent) as refused:
        network("youtube").delete_published(accounts["youtube"], theirs)

    assert refused.value.status == 403
    assert "cannot be deleted" in refused.value.message
    assert theirs in videos(emulator, other["channel"]["id"])


def test_without_the_manage_scope_the_deletion_is_not_offered(accounts):
    channel = accounts["youtube"]
    channel.scopes = [s for s in channel.scopes if not s.endswith("youtube.force-ssl")]

    refusal = network("youtube").delete_published_refusal(channel)

    assert refusal == "Reconnect the channel and allow managing its videos to delete it there."
