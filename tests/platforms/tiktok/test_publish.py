"""Publishing to TikTok through the publisher against the emulator: creator_info before every
new post, the audience and interactions it allows, the daily cap, and an upload that broke
off being started again rather than waited on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import publisher
from publishing.models import PostTarget

S = PostTarget.State
OPEN_ID = "tt-open-000001"


@pytest.fixture
def due_tiktok(accounts, upload, scheduled_post):
    def make(**options: object) -> PostTarget:
        account = accounts["tiktok"]
        options = {"privacy_level": "SELF_ONLY", **options}
        post = scheduled_post([account], "Latte art", [upload("video")], {account.pk: options})
        return post.targets.get()

    return make


def attempt(target: PostTarget) -> str:
    PostTarget.objects.filter(pk=target.pk, state=S.SCHEDULED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    publisher.dispatch_due()
    return publisher.publish_one(target.pk)


def tiktok_posts(emulator) -> list[dict]:
    return emulator.control("GET", f"posts?platform=tiktok&account_id={OPEN_ID}")


def endpoints(emulator) -> list[str]:
    """The Content Posting API calls, in order (connecting the account came before)."""
    calls = [r["endpoint"] for r in emulator.requests("tiktok")]
    return calls[calls.index("tiktok.user_info") + 1 :]


def set_creator(emulator, **settings: object) -> None:
    emulator.control("POST", "tiktok/creator", {"user_id": OPEN_ID, **settings})


def test_creator_info_comes_first_and_decides_the_interactions(emulator, due_tiktok, celery_queue):
    set_creator(emulator, duet_disabled=True)
    target = due_tiktok(allow_comment=True, allow_duet=True)

    assert attempt(target) == "published"

    assert endpoints(emulator)[:3] == [
        "tiktok.creator_info",
        "tiktok.video_init",
        "tiktok.upload",
    ]
    [landed] = tiktok_posts(emulator)
    sent = ("privacy_level", "disable_comment", "disable_duet", "disable_stitch")
    assert {name: landed["details"][name] for name in sent} == {
        "privacy_level": "SELF_ONLY",
        "disable_comment": False,
        "disable_duet": True,  # turned on, but the creator disabled Duet
        "disable_stitch": True,  # never turned on
    }


def test_an_audience_the_creator_no_longer_offers_fails_before_anything_is_sent(
    emulator, due_tiktok, celery_queue
):
    target = due_tiktok(privacy_level="PUBLIC_TO_EVERYONE")
    private = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    set_creator(emulator, privacy_level_options=private)

    assert attempt(target) == "failed"

    target.refresh_from_db()
    assert "Edit the post and choose who can watch" in target.last_error
    assert "tiktok.video_init" not in endpoints(emulator)
    assert tiktok_posts(emulator) == []


def test_a_video_longer_than_the_creator_now_allows_fails_before_anything_is_sent(
    emulator, due_tiktok, celery_queue
):
    target = due_tiktok()
    duration = target.post.attachments.get().media.duration
    assert duration is not None
    assert duration > 1
    set_creator(emulator, max_video_post_duration_sec=1)

    assert attempt(target) == "failed"

    target.refresh_from_db()
    assert "now posts videos up to 1 seconds" in target.last_error
    assert "tiktok.video_init" not in endpoints(emulator)
    assert tiktok_posts(emulator) == []


def test_the_daily_post_cap_waits_a_day_not_a_minute(emulator, due_tiktok, celery_queue):
    set_creator(emulator, daily_post_cap=0)
    target = due_tiktok()

    assert attempt(target) == "rate-limited"

    target.refresh_from_db()
    assert target.state == S.SCHEDULED
    assert timedelta(hours=23, minutes=59) < target.due_at - timezone.now() <= timedelta(hours=24)
    assert "daily limit of posts" in target.last_error
    assert "tiktok.video_init" not in endpoints(emulator)


def test_a_banned_creator_fails_with_the_reason(emulator, due_tiktok, celery_queue):
    set_creator(emulator, banned_from_posting=True)
    target = due_tiktok()

    assert attempt(target) == "failed"

    target.refresh_from_db()
    assert target.last_error == "TikTok does not let this account post right now."


def test_an_upload_that_broke_off_is_started_again_and_posts_once(
    emulator, due_tiktok, celery_queue
):
    target = due_tiktok()
    emulator.fail_next("tiktok", "tiktok.upload", "server")

    assert attempt(target) == "retrying"
    target.refresh_from_db()
    first_id = target.checkpoint["publish_id"]
    assert target.outcome_unknown is True
    assert tiktok_posts(emulator) == []

    assert attempt(target) == "published"

    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert len(tiktok_posts(emulator)) == 1
    inits = [e for e in endpoints(emulator) if e in ("tiktok.creator_info", "tiktok.video_init")]
    assert inits == ["tiktok.creator_info", "tiktok.video_init"] * 2
    assert tiktok_posts(emulator)[0]["details"]["publish_id"] != first_id


def test_an_upload_past_its_hour_is_started_again(emulator, due_tiktok, celery_queue):
    target = due_tiktok()
    emulator.fail_next("tiktok", "tiktok.upload", "server")
    assert attempt(target) == "retrying"
    emulator.control("POST", "clock", {"advance": 3601})  # the upload_url is dead now

    assert attempt(target) == "published"

    assert len(tiktok_posts(emulator)) == 1


def test_an_upload_that_finished_unseen_is_waited_on_not_repeated(
    emulator, due_tiktok, celery_queue, settings
):
    target = due_tiktok()
    emulator.control("POST", "behaviour", {"platform": "tiktok", "status_polls": 0})
    settings.PLATFORM_HTTP_TIMEOUT = (2, 1)
    emulator.fail_next("tiktok", "tiktok.upload", "accept_then_timeout", delay=2)

    assert attempt(target) == "retrying"  # TikTok got every byte; the answer was lost
    assert attempt(target) in ("reconciled", "published")

    assert len(tiktok_posts(emulator)) == 1
    assert endpoints(emulator).count("tiktok.video_init") == 1
