"""The review box names each account's options in its network's words."""

from __future__ import annotations

from connections.platforms.registry import network


def test_tiktok_options_read_as_the_composer_offered_them():
    described = network("tiktok").describe_options(
        {
            "privacy_level": "FOLLOWER_OF_CREATOR",
            "allow_comment": True,
            "allow_duet": False,
            "privacy_options": ["FOLLOWER_OF_CREATOR", "SELF_ONLY"],  # the creator's, not chosen
            "max_duration": 600,
        }
    )
    assert described == [("Who can watch", "Followers"), ("Allowed", "Comment")]


def test_youtube_options_show_the_title_and_visibility():
    described = network("youtube").describe_options({"title": "Launch day", "privacy": "unlisted"})
    assert described == [("Title", "Launch day"), ("Visibility", "Unlisted")]


def test_other_networks_show_what_was_set():
    assert network("x").describe_options({"reply_settings": "following", "empty": ""}) == [
        ("Reply settings", "following")
    ]
