"""The Celery queues, and which tasks go on which (docs/scaling.md).

Each queue has its own workers, so one kind of work never waits behind another: a 30-minute
export on `bulk` never delays a due post on `publish`, and a burst of webhooks on `inbox`
never delays either. Tasks are routed by their explicit names; a task named nowhere here goes
to `default`."""

from __future__ import annotations

from kombu import Exchange, Queue

DEFAULT = "default"
PUBLISH = "publish"  # the dispatcher and the publishes it fans out: latency is the product
INBOX = "inbox"  # webhook deliveries, replies, polling
BULK = "bulk"  # long jobs over many rows: exports, purges, retention, mass emails

ALL = (DEFAULT, PUBLISH, INBOX, BULK)

# Exact names win over patterns (Celery's MapRoute), so a bulk job of the inbox app can sit
# beside the app's pattern.
ROUTES: dict[str, str] = {
    "publishing.tasks.dispatch_due_targets": PUBLISH,
    "publishing.tasks.enqueue_publishes": PUBLISH,
    "publishing.tasks.publish_targets": PUBLISH,
    "publishing.tasks.publish_target": PUBLISH,
    "inbox.tasks.purge_expired": BULK,
    "inbox.tasks.fetch_participant_avatars": INBOX,
    "inbox.tasks.*": INBOX,
    "exports.tasks.*": BULK,
    "retention.tasks.*": BULK,
    "privacy.tasks.purge_unconfirmed_requests": BULK,
    "billing.tasks.reconcile_billing": BULK,
    "legal.tasks.announce_material_change": BULK,
    "insights.tasks.relocalize": BULK,
}


def queue_name(queue: str, prefix: str = "") -> str:
    return f"{prefix}{queue}"


def task_routes(prefix: str = "") -> dict[str, dict[str, str]]:
    """CELERY_TASK_ROUTES for queues named with `prefix` (tests give each process its own)."""
    return {name: {"queue": queue_name(queue, prefix)} for name, queue in ROUTES.items()}


def task_queues(prefix: str = "") -> list[Queue]:
    """CELERY_TASK_QUEUES: what a worker started without -Q consumes (all four, as the local
    mode's single worker does). Each has its own exchange and routing key, as Celery makes for
    a queue it creates: with the defaults, all four would be bound to one key and every message
    would land in every queue."""
    names = [queue_name(queue, prefix) for queue in ALL]
    return [Queue(name, Exchange(name), routing_key=name) for name in names]


def queue_names(queues: tuple[str, ...] = ALL) -> list[str]:
    """The full names of `queues` under the current settings, e.g. for a worker's -Q."""
    from django.conf import settings

    return [queue_name(queue, settings.CELERY_QUEUE_PREFIX) for queue in queues]
