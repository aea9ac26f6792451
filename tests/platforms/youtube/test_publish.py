"""Resumable uploads carry the account's token on every request (the session, each chunk and
the status query), as every request in Google's resumable upload guide does."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from connections.platforms.base import MediaItem, PublishRequest
from connections.platforms.registry import network
from connections.platforms.youtube import publish

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 40_000  # 10 MB: two 8 MiB chunks


class Checkpoint:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def save(self, **values: Any) -> None:
        self.data.update(values)


def request() -> PublishRequest:
    item = MediaItem("video", "video/mp4", len(VIDEO), "", lambda: io.BytesIO(VIDEO))
    return PublishRequest("A description", (item,), {"title": "Launch day", "privacy": "public"})


def test_every_upload_put_and_the_status_query_carry_the_bearer_token(emulator, accounts):
    channel = accounts["youtube"]
    checkpoint = Checkpoint()

    published = network("youtube").client.publish(channel, request(), checkpoint)
    found = publish.find_published(
        network("youtube").client,
        channel,
        request(),
        checkpoint.data,
        timezone.now() - timedelta(hours=1),
    )

    puts = emulator.requests("google", "youtube.upload")
    assert len(puts) == 3  # two chunks, then the status query of find_published
    assert {put["headers"]["authorization"] for put in puts} == {f"Bearer {channel.access_token}"}
    assert found is not None
    assert found.post_id == published.post_id
