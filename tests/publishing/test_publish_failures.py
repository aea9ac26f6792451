"""Each error class, and the proof that a post is never published twice: timeouts after the
platform accepted, and attempts whose outcome is unknown, are reconciled before any retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from connections.models import ConnectedAccount
from notifications.models import Notification
from publishing import publisher, workflow
from publishing.models import Post, PostTarget

S = PostTarget.State
ENDPOINT = {
    "facebook": "meta.photos",
    "instagram": "meta.ig_publish",
    "x": "x.tweets",
    "tiktok": "tiktok.video_init",
    "youtube": "youtube.upload_session",
}
NETWORK = {
    "facebook": "meta",
    "instagram": "meta",
    "x": "x",
    "tiktok": "tiktok",
    "youtube": "google",
}
OPTIONS = {"tiktok": {"privacy_level": "SELF_ONLY"}, "youtube": {"title": "Clip"}}
MEDIA = {
    "facebook": "image",
    "instagram": "image",
    "x": "image",
    "tiktok": "video",
    "youtube": "video",
}


@pytest.fixture
def due_target(accounts, upload, scheduled_post):
    def make(platform: str, text: str = "Never twice") -> PostTarget:
        account = accounts[platform]
        post = scheduled_post(
            [account], text, [upload(MEDIA[platform])], {account.pk: OPTIONS.get(platform, {})}
        )
        return post.targets.get()

    return make


def attempt(target: PostTarget) -> str:
    PostTarget.objects.filter(pk=target.pk, state=S.SCHEDULED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    publisher.dispatch_due()
    return publisher.publish_one(target.pk)


def landed(emulator, platform: str, account: ConnectedAccount) -> int:
    posts = emulator.control("GET", f"posts?platform={NETWORK[platform]}")
    return sum(1 for p in posts if p["account_id"] == account.external_id)


@pytest.mark.parametrize("platform", list(ENDPOINT))
def test_a_timeout_after_the_platform_accepted_never_publishes_twice(
    emulator, due_target, settings, platform, celery_queue
):
    target = due_target(platform)
    settings.PLATFORM_HTTP_TIMEOUT = (2, 1)
    emulator.fail_next(NETWORK[platform], ENDPOINT[platform], "accept_then_timeout", delay=2)

    assert attempt(target) == "retrying"
    target.refresh_from_db()
    assert target.state == S.SCHEDULED
    assert target.outcome_unknown is True
    # The platform accepted (a video may still be processing there).
    assert landed(emulator, platform, target.account) <= 1

    assert attempt(target) in ("reconciled", "published")
    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert landed(emulator, platform, target.account) == 1  # …and still only once


def test_reconciliation_finds_the_post_behind_a_page_of_newer_ones(
    emulator, due_target, settings, celery_queue
):
    target = due_target("x", "The one that timed out")
    settings.PLATFORM_HTTP_TIMEOUT = (2, 1)
    emulator.fail_next("x", "x.tweets", "accept_then_timeout", delay=2)
    assert attempt(target) == "retrying"
    for n in range(120):  # the account goes on posting: more than one page of 100
        emulator.control(
            "POST",
            "posts",
            {"network": "x", "account_id": target.account.external_id, "text": f"Later {n}"},
        )

    assert attempt(target) == "reconciled"
    texts = [
        p["text"]
        for p in emulator.control("GET", "posts?platform=x")
        if p["account_id"] == target.account.external_id
    ]
    assert texts.count("The one that timed out") == 1


@pytest.mark.parametrize("platform", ["facebook", "x", "instagram"])
def test_a_worker_killed_mid_call_is_reconciled_after_its_lease(
    emulator, due_target, platform, celery_queue
):
    target = due_target(platform)
    # The post went out, then the worker died before recording it: the target is left
    # PUBLISHING with the outcome flag set, exactly as publish_one leaves it mid-call.
    assert attempt(target) == "published"
    Post.objects.filter(pk=target.post_id).update(stage=Post.Stage.SCHEDULED)
    PostTarget.objects.filter(pk=target.pk).update(
        state=S.PUBLISHING,
        outcome_unknown=True,
        platform_post_id="",
        permalink="",
        attempt_started_at=timezone.now() - publisher.LEASE - timedelta(seconds=1),
    )
    assert publisher.publish_one(target.pk) == "skipped"  # a redelivered message: no-op

    publisher.dispatch_due(now=timezone.now())  # the lease sweep puts it back
    target.refresh_from_db()
    assert target.state == S.QUEUED
    assert publisher.publish_one(target.pk) == "reconciled"
    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert target.platform_post_id
    assert landed(emulator, platform, target.account) == 1


def test_rate_limit_waits_for_the_platforms_reset(emulator, due_target, celery_queue):
    target = due_target("x")
    emulator.fail_next("x", "x.tweets", "rate_limit", reset_after=900)

    assert attempt(target) == "rate-limited"

    target.refresh_from_db()
    assert target.state == S.SCHEDULED
    assert (
        timedelta(minutes=14) < target.due_at - timezone.now() <= timedelta(minutes=15, seconds=5)
    )
    # An attempt was made: the next one looks before it sends (errors never clear the flag).
    assert target.outcome_unknown is True
    assert landed(emulator, "x", target.account) == 0


def test_a_server_error_backs_off_with_jitter(emulator, due_target, celery_queue):
    target = due_target("facebook")
    emulator.fail_next("meta", "meta.photos", "server")

    assert attempt(target) == "retrying"

    target.refresh_from_db()
    wait = target.due_at - timezone.now()
    assert timedelta(seconds=10) < wait <= timedelta(seconds=31)
    assert "temporary" in target.last_error


def test_an_auth_error_holds_the_target_and_asks_for_a_reconnect(
    emulator, due_target, celery_queue, django_capture_on_commit_callbacks
):
    target = due_target("facebook")
    emulator.control("POST", "tokens/revoke", {"platform": "meta", "user_id": "10000000000001"})

    with django_capture_on_commit_callbacks(execute=True):
        assert attempt(target) == "held"

    target.refresh_from_db()
    assert target.state == S.NEEDS_ATTENTION
    assert target.account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    assert Notification.objects.filter(message__contains="needs reconnecting").exists()
    assert any("Not published" in m.subject or "not published" in m.body for m in mail.outbox)


def test_a_permanent_error_fails_with_the_platforms_reason_and_can_be_retried(
    emulator, due_target, owner, celery_queue
):
    target = due_target("x")
    emulator.fail_next("x", "x.tweets", "validation")

    assert attempt(target) == "failed"

    target.refresh_from_db()
    assert target.state == S.FAILED
    assert target.last_error.startswith("X refused")
    assert Notification.objects.filter(user=owner.user, message__contains="failed").exists()

    assert workflow.retry(target, owner.user) is True
    assert attempt(target) == "published"
    assert landed(emulator, "x", target.account) == 1


def test_too_many_transient_failures_give_up(emulator, due_target, celery_queue):
    target = due_target("x")
    PostTarget.objects.filter(pk=target.pk).update(attempts=publisher.MAX_ATTEMPTS - 1)
    emulator.fail_next("x", "x.tweets", "server")

    assert attempt(target) == "failed"

    target.refresh_from_db()
    assert target.state == S.FAILED
    assert target.last_error.startswith("Gave up after")
