"""Reading published posts' metrics from their networks.

Due insights are claimed with SKIP LOCKED and leased (their next reading pushed out by
`LEASE`), so two workers never read the same post and a worker that dies mid-way only delays
its posts by the lease. Each account's posts go to its network in batches of the network's
size; errors are handled like the publisher's: a rate limit waits until the network says, a
transient error backs off, an expired token is refreshed once and otherwise marks the account
for reconnecting."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from connections import services as connection_services
from connections.errors import AuthExpired, PlatformError, RateLimited, Retryable
from connections.models import ConnectedAccount
from connections.platforms.network import Network, PostMetrics
from connections.platforms.registry import network_for

from . import rollups
from .models import METRIC_COLUMNS, MetricSnapshot, PostInsight
from .schedule import MAX_FAILURES, next_collection, retry_delay

log = logging.getLogger("insights.collection")

LEASE = timedelta(minutes=10)
CLAIM_BATCH = 500
# An account that cannot be read (held, needs reconnecting) is looked at again after this.
HELD_ACCOUNT_DELAY = timedelta(hours=6)


@dataclass
class Outcome:
    read: int = 0
    deferred: int = 0
    failed: int = 0
    by_account: dict[int, str] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.read += other.read
        self.deferred += other.deferred
        self.failed += other.failed
        self.by_account.update(other.by_account)


def claim_due(now: datetime, limit: int = CLAIM_BATCH) -> list[PostInsight]:
    """Lease up to `limit` due insights to this worker."""
    with transaction.atomic():
        insights = list(
            PostInsight.objects.select_for_update(skip_locked=True)
            .filter(next_collect_at__lte=now)
            .order_by("next_collect_at")[:limit]
        )
        PostInsight.objects.filter(pk__in=[i.pk for i in insights]).update(
            next_collect_at=now + LEASE
        )
    return insights


def collect_due(now: datetime | None = None, limit: int = CLAIM_BATCH) -> Outcome:
    """Read one batch of due insights; what happened."""
    now = now or timezone.now()
    insights = claim_due(now, limit)
    by_account: dict[int, list[PostInsight]] = defaultdict(list)
    for insight in insights:
        by_account[insight.account_id].append(insight)
    accounts = ConnectedAccount.objects.select_related("workspace").in_bulk(list(by_account))
    outcome = Outcome()
    for account_id, group in by_account.items():
        outcome.add(collect_account(accounts[account_id], group, now))
    rollups.refresh({(i.account_id, i.local_day) for i in insights})
    return outcome


def collect_account(
    account: ConnectedAccount, insights: list[PostInsight], now: datetime
) -> Outcome:
    """Read `insights` (all of `account`) from its network, a batch at a time."""
    outcome = Outcome()
    network = network_for(account)
    refusal = _cannot_read(account, network)
    if refusal:
        _defer(insights, now + HELD_ACCOUNT_DELAY, refusal)
        outcome.deferred += len(insights)
        outcome.by_account[account.pk] = refusal
        return outcome
    size = max(network.metrics_batch_size, 1)
    for start in range(0, len(insights), size):
        batch = insights[start : start + size]
        ids = [insight.platform_post_id for insight in batch]
        try:
            found = connection_services.call_with_refresh(
                account, lambda ids=ids: network.post_metrics(account, ids)
            )
        except RateLimited as exc:
            # The rest of this account waits too: the network said when to come back.
            _defer(insights[start:], exc.retry_at, exc.message)
            outcome.deferred += len(insights) - start
            outcome.by_account[account.pk] = exc.message
            return outcome
        except AuthExpired as exc:
            connection_services.mark_needs_reconnect(account, exc.message)
            _defer(insights[start:], now + HELD_ACCOUNT_DELAY, exc.message)
            outcome.deferred += len(insights) - start
            outcome.by_account[account.pk] = exc.message
            return outcome
        except PlatformError as exc:
            _failed(batch, now, exc)
            outcome.failed += len(batch)
            outcome.by_account[account.pk] = exc.message
            continue
        _record(batch, found, now)
        outcome.read += len(batch)
    connection_services.record_success(account)
    return outcome


def _cannot_read(account: ConnectedAccount, network: Network) -> str:
    if account.status != ConnectedAccount.Status.ACTIVE:
        return f"{account} is {account.get_status_display().lower()}."
    return network.metrics_refusal(account)


def _defer(insights: list[PostInsight], until: datetime, reason: str) -> None:
    PostInsight.objects.filter(pk__in=[i.pk for i in insights]).update(
        next_collect_at=until, last_error=reason[:300]
    )


def _failed(batch: list[PostInsight], now: datetime, exc: PlatformError) -> None:
    """A transient error tries again later; a permanent one, or too many, skips this reading."""
    for insight in batch:
        insight.failures += 1
        if isinstance(exc, Retryable) and insight.failures < MAX_FAILURES:
            insight.next_collect_at = now + retry_delay(insight.failures)
        else:
            insight.failures = 0
            insight.next_collect_at = next_collection(insight.published_at, now)
        insight.last_error = exc.message[:300]
    with transaction.atomic():
        for insight in batch:
            _save(insight, "failures", "next_collect_at", "last_error")


def _record(batch: list[PostInsight], found: dict[str, PostMetrics], now: datetime) -> None:
    """Store the readings: a snapshot each, the latest values on the insight."""
    snapshots = []
    for insight in batch:
        insight.next_collect_at = next_collection(insight.published_at, now)
        insight.failures = 0
        insight.last_error = ""
        metrics = found.get(insight.platform_post_id)
        if metrics is None:  # the network has no numbers for it (yet, or any more)
            continue
        values = metrics.values()
        for name in METRIC_COLUMNS:
            setattr(insight, name, values[name])
        insight.engagement_rate = engagement_rate(metrics)
        insight.snapshots += 1
        insight.last_collected_at = now
        snapshots.append(MetricSnapshot(insight=insight, taken_at=now, **values))
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(snapshots)
        for insight in batch:
            _save(insight, *_READING_FIELDS)


_READING_FIELDS = (
    *METRIC_COLUMNS,
    "engagement_rate",
    "snapshots",
    "last_collected_at",
    "next_collect_at",
    "failures",
    "last_error",
)


def _save(insight: PostInsight, *fields: str) -> None:
    # One UPDATE per row: bulk_update's CASE per field and row costs far more CPU in the ORM
    # than these statements cost the database (bench/README.md, analytics).
    PostInsight.objects.filter(pk=insight.pk).update(**{f: getattr(insight, f) for f in fields})


def engagement_rate(metrics: PostMetrics) -> float | None:
    """Engagements per impression; per person reached where the network counts no impressions."""
    seen = metrics.impressions or metrics.reach
    if not seen or metrics.engagements is None:
        return None
    return metrics.engagements / seen
