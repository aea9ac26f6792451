from __future__ import annotations

from celery import shared_task

from . import requests


@shared_task(name="privacy.tasks.purge_unconfirmed_requests")
def purge_unconfirmed_requests() -> int:
    """Hourly: remove privacy requests whose confirmation link expired unused."""
    return requests.purge_unconfirmed()
