from __future__ import annotations

from celery import shared_task

from . import services


# Longer than the default 5 minutes: a person with gigabytes of media takes a while. The hard
# limit stays under services.STALE_AFTER and the broker's visibility timeout (1 hour).
@shared_task(
    name="exports.tasks.build_export", acks_late=True, soft_time_limit=25 * 60, time_limit=30 * 60
)
def build_export(export_id: int) -> str:
    return services.build(export_id)
