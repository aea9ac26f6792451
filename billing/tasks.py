"""Celery tasks of billing."""

from __future__ import annotations

import stripe
from celery import shared_task

from . import events, reconcile
from .stripe_client import BillingUnavailable


# Stripe unreachable or erring: tried again with backoff (its state is re-read each time, so a
# retry never applies anything twice). Other failures stay on the event for the sweep below.
@shared_task(
    name="billing.tasks.process_stripe_event",
    acks_late=True,
    autoretry_for=(BillingUnavailable, stripe.StripeError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=events.MAX_ATTEMPTS,
    time_limit=120,
    soft_time_limit=110,
)
def process_stripe_event(event_pk: int) -> str:
    return events.process(event_pk)


@shared_task(name="billing.tasks.process_stale_events", time_limit=280, soft_time_limit=270)
def process_stale_events() -> int:
    """Stored events whose task was lost (broker down at receipt) or failed get another go."""
    ids = events.stale_ids()
    for event_pk in ids:
        process_stripe_event.delay(event_pk)
    return len(ids)


@shared_task(name="billing.tasks.reconcile_billing", time_limit=3500, soft_time_limit=3400)
def reconcile_billing() -> dict[str, int]:
    return reconcile.reconcile().as_dict()
