"""TikTok's Content Posting API has no way to delete a video (developers.tiktok.com/doc/
content-posting-api-reference-direct-post: creator info, init, upload, status only): Mixora
never offers it, and asking anyway makes no call."""

from __future__ import annotations

import pytest

from connections.platforms.registry import network

pytestmark = pytest.mark.django_db


def test_tiktok_videos_are_never_offered_for_deletion(accounts, emulator):
    tiktok = network("tiktok")
    calls = len(emulator.requests("tiktok"))

    assert tiktok.can_delete_published is False
    assert tiktok.delete_published_refusal(accounts["tiktok"]) == (
        "TikTok's API does not let apps delete posts: delete it on TikTok itself."
    )
    with pytest.raises(NotImplementedError):
        tiktok.delete_published(accounts["tiktok"], "7300000000000000001")
    assert len(emulator.requests("tiktok")) == calls
