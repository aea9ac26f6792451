from __future__ import annotations

from celery import shared_task

from . import engine


@shared_task(name="retention.tasks.apply_retention", time_limit=3500, soft_time_limit=3400)
def apply_retention() -> dict[str, int]:
    return engine.run()
