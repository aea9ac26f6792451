"""The nightly reconcile: whatever webhooks were missed, the mirror ends up as Stripe says.

1. Events Stripe has that we never received (a delivery that failed for good, an endpoint
   that was down) are stored and processed like a delivery. Stripe lists the last 30 days of
   events; we ask from a few days before the newest one we stored (arrival order is not
   creation order), and skip the ids we have.
2. Every account with a subscription is re-read from Stripe (billing.sync); a deleted
   workspace's subscription still running (its cancel failed) is canceled."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Max

from . import events
from .models import BillingAccount, StripeEvent
from .stripe_client import BillingUnavailable, client, livemode, stripe_call
from .sync import cancel_now, sync_subscription

log = logging.getLogger(__name__)

# Stripe retries a delivery for up to 3 days: anything older than the newest stored event
# by more than that was delivered or is lost, and the listing finds it either way.
OVERLAP = timedelta(days=3)
LOOKBACK = timedelta(days=30)  # how far back Stripe lists events


@dataclass
class Reconciled:
    replayed: int = 0  # missed events processed now
    synced: int = 0
    failed: int = 0  # accounts or events that could not be brought up to date (logged)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def reconcile() -> Reconciled:
    result = Reconciled()
    try:
        replay_missed_events(result)
    except BillingUnavailable:
        log.exception("reconcile: could not list Stripe's events")
        result.failed += 1
    accounts = (
        BillingAccount.objects.exclude(stripe_subscription_id="")
        .select_related("workspace")
        .order_by("pk")
    )
    for account in accounts.iterator():
        try:
            if account.workspace.deleted_at:  # its cancel at deletion failed: again
                cancel_now(account)
            sync_subscription(account)
            result.synced += 1
        except BillingUnavailable:
            log.exception("reconcile: could not sync workspace %s", account.workspace_id)
            result.failed += 1
    return result


def replay_missed_events(result: Reconciled) -> None:
    for payload in missed_events():
        event, created = events.store(payload)
        if not created:  # arrived meanwhile: its own task processes it
            continue
        try:
            events.process(event.pk)
            result.replayed += 1
        except Exception:  # recorded on the event; the stale-event sweep retries it
            log.exception("reconcile: event %s failed", payload["id"])
            result.failed += 1


def missed_events() -> list[dict[str, Any]]:
    """Billing events Stripe lists that we have not stored, oldest first."""
    newest = StripeEvent.objects.aggregate(newest=Max("created"))["newest"]
    since = (
        newest - int(OVERLAP.total_seconds())
        if newest
        else int(time.time() - LOOKBACK.total_seconds())
    )
    with stripe_call("list recent events"):
        listed = client().v1.events.list(params={"created": {"gte": since}, "limit": 100})
        found = [
            event.to_dict(for_json=True)
            for event in listed.auto_paging_iter()
            if event.type.startswith(events.HANDLED_PREFIXES) and event.livemode == livemode()
        ]
    known = set(
        StripeEvent.objects.filter(event_id__in=[e["id"] for e in found]).values_list(
            "event_id", flat=True
        )
    )
    return sorted((e for e in found if e["id"] not in known), key=lambda e: e["created"])
