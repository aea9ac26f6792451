from __future__ import annotations

from celery import shared_task

from . import announcements
from .models import DocumentVersion


# Mail-server trouble (OSError covers smtplib's errors) is retried; nobody sent is resent.
@shared_task(
    name="legal.tasks.announce_material_change",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def announce_material_change(version_id: int, batch_size: int = announcements.BATCH_SIZE) -> int:
    """Email one batch about a material change, then queue the next batch if people remain.

    Safe to run twice or concurrently: nobody is emailed twice."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    sent, more = announcements.announce_batch(version, batch_size)
    if more:
        announce_material_change.delay(version_id, batch_size)
    return sent
