"""Webhook deliveries: stored raw on receipt (the view answers at once), processed by a task,
deleted once their messages are stored. A delivery that fails stays, with its error, and is
tried again; one never processed (a lost task) is picked up by the periodic sweep."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.platforms.registry import webhook_source

from .enrich import enrich
from .ingest import ingest
from .models import Message, WebhookDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=2)


def receive(platform: str, body: bytes) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(platform=platform, body=body)
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _enqueue(delivery_id: int) -> None:
    from .tasks import process_delivery

    try:
        process_delivery.delay(delivery_id)
    except Exception:  # the broker is down: the sweep will process the stored delivery
        log.exception("could not enqueue webhook delivery %s", delivery_id)


def process(delivery_id: int) -> int:
    """Store the delivery's messages; how many were new. Raises on failure, after recording
    the error on the delivery (kept for the next attempt)."""
    try:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(pk=delivery_id)
                .first()
            )
            if delivery is None:  # done, or being processed right now
                return 0
            body = json.loads(bytes(delivery.body))
            new: list[Message] = []
            for item in webhook_source(delivery.platform).parse(body):
                new.extend(ingest(item))
            delivery.delete()
    except Exception as exc:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    for message in new:
        enrich(message)
    return len(new)


def stale_ids() -> list[int]:
    cutoff = timezone.now() - STALE_AFTER
    return list(
        WebhookDelivery.objects.filter(received_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
