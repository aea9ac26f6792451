"""The publisher in a real Celery worker on Redis, against the emulator: a post goes out to
every account, and a worker killed in the middle of a platform call never causes a double."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import publisher
from publishing.models import PostTarget

S = PostTarget.State
pytestmark = pytest.mark.django_db(transaction=True)
# The guarantees hold whatever the pool: solo (one post in flight) and threads (many).
POOLS = pytest.mark.parametrize(
    "pool", [{"pool": "solo"}, {"pool": "threads", "concurrency": 8}], ids=["solo", "threads"]
)


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


@POOLS
def test_a_worker_publishes_to_every_account(
    pool, accounts, emulator, upload, scheduled_post, start_worker, celery_queue
):
    chosen = [accounts["facebook"], accounts["instagram"], accounts["x"]]
    post = scheduled_post(chosen, "Out via a real worker", [upload("image")])
    start_worker(**pool)

    assert publisher.dispatch_due() == 3

    wait_for(lambda: set(post.targets.values_list("state", flat=True)) == {S.PUBLISHED})
    assert all(t.permalink for t in post.targets.all())
    assert len(emulator.control("GET", "posts?platform=x")) == 1
    assert len(emulator.control("GET", "posts?platform=meta")) == 2


@POOLS
def test_a_worker_killed_mid_publish_never_publishes_twice(
    pool, accounts, emulator, upload, scheduled_post, start_worker, celery_queue
):
    post = scheduled_post([accounts["x"]], "Killed mid-call", [upload("image")])
    target = post.targets.get()
    # X accepts the post, then sits on the answer: the worker is killed while it waits.
    emulator.fail_next("x", "x.tweets", "accept_then_timeout", delay=30)
    worker = start_worker(**pool)
    publisher.dispatch_due()
    wait_for(lambda: len(emulator.control("GET", "posts?platform=x")) == 1)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    target.refresh_from_db()
    assert target.state == S.PUBLISHING
    assert target.outcome_unknown is True

    # After the lease, the sweep re-queues it; a new worker looks before it publishes.
    start_worker(**pool)
    later = timezone.now() + publisher.LEASE + timedelta(seconds=1)
    assert publisher.dispatch_due(now=later) == 1
    wait_for(lambda: PostTarget.objects.get(pk=target.pk).state == S.PUBLISHED)

    assert len(emulator.control("GET", "posts?platform=x")) == 1
    target.refresh_from_db()
    assert target.platform_post_id
