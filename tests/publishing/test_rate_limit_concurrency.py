"""Two hundred posts of one X account due at once, published by a threads-pool worker: X
takes 100 posts per user per 15 minutes (docs.x.com/x-api/fundamentals/rate-limits), so
exactly 100 go out, each once, and the other 100 wait for the window's reset without X ever
being asked (the account's budget is shared by every worker thread and process)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from connections import throttle
from publishing import publisher
from publishing.models import Post, PostTarget
from tests.publishing.test_worker import wait_for

S = PostTarget.State
pytestmark = pytest.mark.django_db(transaction=True)
POSTS = 200
LIMIT = 100


def due_posts(account, count: int) -> list[PostTarget]:
    """`count` scheduled posts of `account` with distinct texts (X refuses duplicates)."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            workspace_id=account.workspace_id,
            text=f"Burst post {i:03d}",
            stage=Post.Stage.SCHEDULED,
            scheduled_at=now,
        )
        for i in range(count)
    )
    return PostTarget.objects.bulk_create(
        PostTarget(post=post, account=account, state=S.SCHEDULED, due_at=now) for post in posts
    )


def test_two_hundred_in_flight_posts_respect_the_accounts_rate_limit(
    accounts, emulator, start_worker, celery_queue
):
    account = accounts["x"]
    due_posts(account, POSTS)
    start_worker(pool="threads", concurrency=32)
    started = time.time()

    assert publisher.dispatch_due() == POSTS
    wait_for(
        lambda: not PostTarget.objects.filter(state__in=[S.QUEUED, S.PUBLISHING]).exists(),
        timeout=120,
    )

    states = Counter(PostTarget.objects.values_list("state", flat=True))
    assert states == {S.PUBLISHED: LIMIT, S.SCHEDULED: POSTS - LIMIT}
    on_x = emulator.control("GET", f"posts?platform=x&account_id={account.external_id}")
    assert len(on_x) == LIMIT
    assert sorted(p["text"] for p in on_x) == sorted(
        PostTarget.objects.filter(state=S.PUBLISHED).values_list("post__text", flat=True)
    )  # each published target once on X, nothing else
    calls = emulator.requests("x", "x.tweets")
    assert len(calls) == LIMIT  # the waiting ones never reached X: no 429 at all

    waiting = PostTarget.objects.filter(state=S.SCHEDULED)
    window_end = timezone.now() + timedelta(seconds=900)
    for target in waiting:
        assert started + 890 <= target.due_at.timestamp() <= window_end.timestamp() + 1
        assert target.attempts == 0
        assert not target.outcome_unknown
        assert "100 posts per 15 minutes" in target.last_error
    assert publisher.dispatch_due() == 0  # nothing due before the reset


def test_a_429_closes_the_accounts_budget_for_its_other_posts(
    accounts, emulator, scheduled_post, celery_queue
):
    account = accounts["x"]
    first, second = (scheduled_post([account], text).targets.get() for text in ("One", "Two"))
    emulator.fail_next("x", "x.tweets", "rate_limit", reset_after=120)
    publisher.dispatch_due()

    assert publisher.publish_one(first.pk) == "rate-limited"
    assert publisher.publish_one(second.pk) == "throttled"

    assert len(emulator.requests("x", "x.tweets")) == 1  # the second never called X
    second.refresh_from_db()
    assert second.state == S.SCHEDULED
    assert abs(second.due_at.timestamp() - (time.time() + 120)) < 5
    assert not throttle.take(account.pk, throttle.Budget(100, 900)).granted
