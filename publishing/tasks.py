"""Celery tasks of the publisher. Limits are set on purpose: a publish task may wait on a
platform (uploads, processing) but never longer than the publisher's lease."""

from __future__ import annotations

from celery import shared_task

from . import publisher


@shared_task(name="publishing.tasks.dispatch_due_targets", time_limit=55, soft_time_limit=50)
def dispatch_due_targets() -> int:
    return publisher.dispatch_due()


@shared_task(
    name="publishing.tasks.enqueue_publishes", acks_late=True, time_limit=120, soft_time_limit=110
)
def enqueue_publishes(target_ids: list[int]) -> int:
    # Idempotent: a duplicate publish message finds its target already claimed.
    return publisher.enqueue(target_ids)


# acks_late + reject_on_worker_lost: a worker killed mid-publish leaves the message to be
# redelivered; the conditional claim in publish_many makes the redelivery harmless and the
# lease sweep in dispatch_due picks up the targets, outcome unknown, for reconciliation.
@shared_task(
    name="publishing.tasks.publish_targets",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    soft_time_limit=570,
)
def publish_targets(target_ids: list[int]) -> dict[int, str]:
    return publisher.publish_many(target_ids)


# One target: what the dispatcher sent before batches; messages still queued across a deploy.
@shared_task(
    name="publishing.tasks.publish_target",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    soft_time_limit=570,
)
def publish_target(target_id: int) -> str:
    return publisher.publish_one(target_id)


@shared_task(name="publishing.tasks.expire_missed_posts", time_limit=300, soft_time_limit=280)
def expire_missed_posts() -> int:
    return publisher.expire_missed()
