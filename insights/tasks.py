"""Background work of insights: enrol newly published posts and read due metrics (every
minute), read followers (daily). Safe to run twice: claims are leased, readings upsert."""

from __future__ import annotations

import time

from celery import shared_task
from django.utils import timezone

from accounts.models import Workspace

from . import collection, enrolment, followers, local_times

# One run reads batches until nothing is due or this many seconds passed (the next run goes on).
RUN_BUDGET_SECONDS = 50


@shared_task(name="insights.tasks.collect_metrics", acks_late=True)
def collect_metrics() -> dict[str, int]:
    enrolled = len(enrolment.enrol_published())
    total = collection.Outcome()
    started = time.monotonic()
    while time.monotonic() - started < RUN_BUDGET_SECONDS:
        outcome = collection.collect_due()
        total.add(outcome)
        if outcome.read + outcome.deferred + outcome.failed == 0:
            break
    return {
        "enrolled": enrolled,
        "read": total.read,
        "deferred": total.deferred,
        "failed": total.failed,
    }


@shared_task(name="insights.tasks.collect_followers", acks_late=True)
def collect_followers() -> int:
    return followers.record_all(timezone.now().date())


@shared_task(name="insights.tasks.relocalize", acks_late=True)
def relocalize(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return local_times.relocalize(workspace) if workspace else 0
