"""Two beats on one Redis: only the lease holder sends periodic jobs, and a standby takes over
when the holder stops."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from mixora import beat
from mixora.celery import app
from mixora.queues import queue_names


@pytest.fixture
def broker() -> redis.Redis:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*queue_names(), f"{settings.CELERY_QUEUE_PREFIX}mixora:beat-leader")
    yield client
    client.delete(*queue_names(), f"{settings.CELERY_QUEUE_PREFIX}mixora:beat-leader")


def _beat(tmp_path: Path, name: str) -> beat.LeaderScheduler:
    return beat.LeaderScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)


def _sent(broker: redis.Redis) -> int:
    return sum(broker.llen(name) for name in queue_names())


def test_only_the_lease_holder_sends(broker: redis.Redis, tmp_path: Path) -> None:
    first, second = _beat(tmp_path, "one"), _beat(tmp_path, "two")

    assert first.is_leader()
    assert not second.is_leader()
    deadline = time.monotonic() + 5
    while _sent(broker) == 0 and time.monotonic() < deadline:  # the dispatcher runs every second
        first.tick()
        second.tick()
        time.sleep(0.1)
    assert _sent(broker) > 0, "the leader sent nothing"

    broker.delete(*queue_names())
    for _ in range(12):
        second.tick()
        time.sleep(0.1)
    assert _sent(broker) == 0, "the standby sent periodic jobs"
    first.close()
    second.close()


def test_a_standby_takes_over_when_the_holder_stops(broker: redis.Redis, tmp_path: Path) -> None:
    first, second = _beat(tmp_path, "one"), _beat(tmp_path, "two")
    assert first.is_leader()
    assert not second.is_leader()

    first.close()  # a clean stop gives the lease up
    time.sleep(beat.RENEW_EVERY)

    assert second.is_leader()
    second.close()


def test_a_dead_holders_lease_expires(
    broker: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(beat, "LEASE", 0.5)
    first, second = _beat(tmp_path, "one"), _beat(tmp_path, "two")
    assert first.is_leader()  # and then it is killed: it never renews nor gives up

    time.sleep(max(beat.LEASE, beat.RENEW_EVERY) + 0.1)

    assert second.is_leader()
    second.close()
