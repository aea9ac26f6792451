"""Running the retention table: rows past their period are deleted in small batches, each in
its own short transaction, so no run holds locks for long or grows with the table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .rules import RULES, Rule, cutoff

log = logging.getLogger(__name__)


def delete_in_batches(
    rule: Rule,
    now: datetime,
    batch: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete the rule's expired rows, `batch` at a time, one short transaction each;
    `progress(rows)` is told after each batch (the benchmark times them)."""
    model = apps.get_model(rule.model)
    batch = batch or settings.RETENTION_BATCH
    due = model._base_manager.filter(
        **{f"{rule.age_field}__lt": cutoff(rule, now)}, **dict(rule.where)
    )
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by().values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            model._base_manager.filter(pk__in=ids).delete()
            total += len(ids)
        if progress:
            progress(len(ids))


def apply(rule: Rule, now: datetime) -> int:
    if rule.runner:
        return import_string(rule.runner)(now=now)
    return delete_in_batches(rule, now)


def run(now: datetime | None = None) -> dict[str, int]:
    """Apply every daily rule; rows removed per rule. One failing rule does not stop the
    others (it is logged and raised again at the end, so the job shows as failed)."""
    now = now or timezone.now()
    removed, failures = {}, []
    for rule in RULES:
        if not rule.daily:
            continue
        try:
            removed[rule.name] = apply(rule, now)
        except Exception as exc:  # noqa: BLE001 - reported below, after the other rules ran
            log.exception("retention rule %r failed", rule.name)
            failures.append(exc)
    if failures:
        raise failures[0]
    return removed
