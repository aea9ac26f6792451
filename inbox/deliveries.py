"""Webhook deliveries: stored raw on receipt (the view answers at once), processed by a task,
deleted once their messages are stored. A delivery that fails stays, with its error, and is
tried again; one never processed (a lost task) is picked up by the periodic sweep.

A delivery gets a task of its own unless one is already waiting to start (_enqueue), and a
task stores its delivery together with up to BATCH_SIZE - 1 others still waiting, in one
transaction with a few queries for them all (ingest_batch.py). Should the batch fail, each of
its deliveries is processed alone, so one bad delivery records its own
error and never holds back the others."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.platforms.inbox_types import InboundItem
from connections.platforms.registry import webhook_source

from .enrich import enrich_all
from .ingest import ingest
from .ingest_batch import ingest_many
from .models import Message, WebhookDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=2)
# Deliveries stored per transaction: large enough that the per-batch queries cost little per
# delivery, small enough that a batch holds its locks for a fraction of a second.
BATCH_SIZE = 100
WAKE_KEY = "inbox:delivery-task-waiting"
WAKE_TTL = 5  # seconds


def receive(platform: str, body: bytes) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(platform=platform, body=body)
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _coalescing() -> bool:
    """Whether the web and the workers share a cache (Redis) to say a task is waiting."""
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def _enqueue(delivery_id: int) -> None:
    """A task for this delivery, unless one is already waiting to start: that one takes this
    delivery along (its batch is claimed after it starts), so a burst of a thousand deliveries
    sends a handful of Celery messages, not a thousand (sending one was half the cost of
    accepting a delivery). A lost task costs at most WAKE_TTL before arrivals send another,
    and the sweep processes whatever is left."""
    from .tasks import process_delivery

    try:
        if _coalescing() and not cache.add(WAKE_KEY, delivery_id, WAKE_TTL):
            return
        process_delivery.delay(delivery_id)
    except Exception:  # the broker is down: the sweep will process the stored delivery
        log.exception("could not enqueue webhook delivery %s", delivery_id)


def _items(delivery: WebhookDelivery) -> Iterator[InboundItem]:
    body = json.loads(bytes(delivery.body))
    return webhook_source(delivery.platform).parse(body)


def process(delivery_id: int) -> int:
    """Store one delivery's messages; how many were new. Raises on failure, after recording
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
            new: list[Message] = []
            for item in _items(delivery):
                new.extend(ingest(item))
            delivery.delete()
    except Exception as exc:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    enrich_all(new)  # names and attachments, fetched after the commit
    return len(new)


def process_batch(delivery_id: int) -> int:
    """Store this delivery with the others waiting (up to BATCH_SIZE in all); how many messages
    were new. Raises when this delivery fails (after recording its error)."""
    claimed: list[int] = []
    if _coalescing():
        cache.delete(WAKE_KEY)  # before claiming: a delivery arriving from now sends a task
    try:
        with transaction.atomic():
            deliveries = _claim(delivery_id)
            claimed = [delivery.pk for delivery in deliveries]
            if not deliveries:
                return 0
            if len(claimed) == BATCH_SIZE:  # more may be waiting, with no task of their own:
                _continue(claimed)  # another worker starts on them while this one stores these
            new = ingest_many(item for delivery in deliveries for item in _items(delivery))
            WebhookDelivery.objects.filter(pk__in=claimed).delete()
    except Exception:
        if len(claimed) > 1:
            log.warning("a batch of %s deliveries failed: storing them one by one", len(claimed))
        return _one_by_one(claimed or [delivery_id], delivery_id)
    enrich_all(new)  # names and attachments, fetched after the commit
    return len(new)


def _continue(claimed: list[int]) -> None:
    waiting = WebhookDelivery.objects.filter(attempts=0).exclude(pk__in=claimed).order_by("pk")
    if (oldest := waiting.values_list("pk", flat=True).first()) is not None:
        _enqueue(oldest)


def _claim(delivery_id: int) -> list[WebhookDelivery]:
    """This delivery (unless done or taken) and the oldest others waiting that no other worker
    holds, locked. Deliveries that failed before wait for their own retry or the sweep."""
    mine = list(WebhookDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id))
    others = (
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(attempts=0)
        .exclude(pk=delivery_id)
        .order_by("pk")[: BATCH_SIZE - len(mine)]
    )
    return mine + list(others)


def _one_by_one(delivery_ids: list[int], delivery_id: int) -> int:
    new, failure = 0, None
    for pk in delivery_ids:
        try:
            new += process(pk)
        except Exception as exc:  # recorded on the delivery; retried by its task or the sweep
            if pk == delivery_id:
                failure = exc
            else:
                log.warning("webhook delivery %s failed: %s", pk, exc)
    if failure is not None:
        raise failure
    return new


def stale_ids() -> list[int]:
    cutoff = timezone.now() - STALE_AFTER
    return list(
        WebhookDelivery.objects.filter(received_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
