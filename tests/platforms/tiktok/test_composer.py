"""The composer's TikTok block follows creator_info and TikTok's required UX: the creator's
nickname, only the audiences the creator offers with none chosen in advance, interactions off
until turned on and greyed out where the creator disabled them, the longest video allowed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from connections.platforms.registry import network
from connections.platforms.tiktok import creator
from publishing.models import Post

OPEN_ID = "tt-open-000001"
PRIVATE = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@pytest.fixture
def tiktok(accounts, emulator):
    account = accounts["tiktok"]
    emulator.control(
        "POST",
        "tiktok/creator",
        {
            "user_id": OPEN_ID,
            "privacy_level_options": PRIVATE,
            "duet_disabled": True,
            "stitch_disabled": True,
            "max_video_post_duration_sec": 60,
        },
    )
    yield account
    creator.cache.delete(creator._key(account.pk))


def creator_info_calls(emulator) -> int:
    return len(emulator.requests("tiktok", "tiktok.creator_info"))


def test_the_context_comes_from_creator_info_and_is_kept_briefly(emulator, tiktok):
    first = network("tiktok").composer_context(tiktok)
    again = network("tiktok").composer_context(tiktok)

    assert first == again
    assert creator_info_calls(emulator) == 1
    assert first["creator"].nickname == "Demo Co"
    assert first["creator_problem"] == ""
    assert first["privacy_choices"] == {
        "FOLLOWER_OF_CREATOR": "Followers",
        "MUTUAL_FOLLOW_FRIENDS": "Friends",
        "SELF_ONLY": "Only me",
    }
    assert [(i["name"], i["disabled"]) for i in first["interactions"]] == [
        ("comment", False),
        ("duet", True),
        ("stitch", True),
    ]
    assert first["max_duration"] == 60


def test_when_tiktok_cannot_be_asked_the_page_says_so(emulator, tiktok):
    emulator.control("POST", "tokens/revoke", {"platform": "tiktok", "user_id": OPEN_ID})

    context = network("tiktok").composer_context(tiktok)

    assert context["creator"] is None
    assert context["creator_problem"].startswith("Could not load the TikTok settings of")
    assert "asks TikTok again before posting" in context["creator_problem"]
    assert len(context["privacy_choices"]) == 4


def test_the_page_shows_the_creator_and_chooses_nothing_in_advance(client, tiktok, owner):
    client.force_login(owner.user)
    html = client.get(reverse("post_new", args=["acme"])).content.decode()

    assert "Posting to TikTok as <strong>Demo Co</strong>" in html
    assert "Videos up to 1 minute<" in html
    select = re.search(rf'<select id="privacy_{tiktok.pk}".*?</select>', html).group(0)
    assert '<option value="">Choose…</option>' in select
    assert "selected" not in select
    assert "PUBLIC_TO_EVERYONE" not in select
    boxes = re.findall(rf'<input type="checkbox" id="allow_(\w+)_{tiktok.pk}"([^>]*)>', html)
    disabled = [(name, " disabled" in attributes) for name, attributes in boxes]
    assert disabled == [("comment", False), ("duet", True), ("stitch", True)]
    assert "checked" not in "".join(attributes for _, attributes in boxes)


def test_saving_keeps_what_the_creator_allows_and_the_edit_page_shows_it(
    client, tiktok, owner, upload
):
    clip = upload("video")
    client.force_login(owner.user)
    client.post(
        reverse("post_new", args=["acme"]),
        {
            "text": "Latte art",
            "accounts": [tiktok.pk],
            "media": [clip.pk],
            f"privacy_{tiktok.pk}": "FOLLOWER_OF_CREATOR",
            f"allow_comment_{tiktok.pk}": "on",
            f"allow_duet_{tiktok.pk}": "on",  # greyed out, sent anyway: dropped
        },
    )
    post = Post.objects.get()

    assert post.targets.get().options == {
        "privacy_level": "FOLLOWER_OF_CREATOR",
        "allow_comment": True,
        "allow_duet": False,
        "allow_stitch": False,
        "privacy_options": PRIVATE,
        "max_duration": 60,
    }
    html = client.get(reverse("post_edit", args=["acme", post.pk])).content.decode()
    assert f'name="allow_comment_{tiktok.pk}" checked>' in html
    assert '<option value="FOLLOWER_OF_CREATOR" selected>' in html


@pytest.mark.parametrize(
    ("privacy", "seconds", "problem"),
    [
        ("PUBLIC_TO_EVERYONE", 5, "Choose who can see this TikTok."),
        ("SELF_ONLY", 90, "This TikTok account posts videos up to 60 seconds."),
    ],
)
def test_scheduling_checks_against_what_the_creator_allows(
    client, tiktok, owner, upload, privacy, seconds, problem
):
    clip = upload("video", duration=seconds)
    client.force_login(owner.user)
    response = client.post(
        reverse("post_new", args=["acme"]),
        {
            "text": "Latte art",
            "accounts": [tiktok.pk],
            "media": [clip.pk],
            f"privacy_{tiktok.pk}": privacy,
            "scheduled_local": "2030-07-15T09:00",
            "action": "schedule",
        },
    )

    assert response.status_code == 400
    assert problem in response.content.decode()
