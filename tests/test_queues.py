"""Each task goes to exactly one queue (mixora/queues.py), through the real Redis broker."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from mixora.celery import app
from mixora.queues import ALL, queue_names


@pytest.fixture
def broker() -> redis.Redis:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*queue_names())
    yield client
    client.delete(*queue_names())


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("publishing.tasks.dispatch_due_targets", "publish"),
        ("publishing.tasks.publish_targets", "publish"),
        ("publishing.tasks.publish_target", "publish"),
        ("inbox.tasks.process_delivery", "inbox"),
        ("inbox.tasks.fetch_participant_avatars", "inbox"),
        ("inbox.tasks.purge_expired", "bulk"),
        ("exports.tasks.build_export", "bulk"),
        ("retention.tasks.apply_retention", "bulk"),
        ("connections.tasks.check_account", "default"),
    ],
)
def test_a_task_lands_on_its_queue_only(broker: redis.Redis, task: str, queue: str) -> None:
    app.send_task(task, args=[1])

    lengths = dict(zip(ALL, map(broker.llen, queue_names()), strict=True))
    assert lengths == {name: int(name == queue) for name in lengths}


def test_every_task_and_every_periodic_job_routes_to_a_known_queue() -> None:
    app.loader.import_default_modules()  # what a worker imports at start: every tasks module
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert "publishing.tasks.publish_target" in names
    for name in [*names, *(job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values())]:
        assert name in app.tasks, f"{name} is scheduled but no task has that name"
        assert app.amqp.router.route({}, name)["queue"].name in queue_names(), name
