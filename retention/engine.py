"""Running the retention table: rows past their period are deleted in small batches, each in
its own short transaction, so no run holds locks for long or grows with the table.

Every entry point takes the moment to run as (`now`), so an operator or a test can apply the
table as of any date (`manage.py run_retention --as-of`), and count what would go without
changing anything (`--dry-run`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from .rules import RULES, Rule, cutoff

log = logging.getLogger(__name__)


def _due_rows(rule: Rule, now: datetime) -> QuerySet:
    model = apps.get_model(rule.model)
    return model._base_manager.filter(
        **{f"{rule.age_field}__lt": cutoff(rule, now)}, **dict(rule.where)
    )


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
    due = _due_rows(rule, now)
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


def count_due(rule: Rule, now: datetime) -> int:
    """What `apply(rule, now)` would remove, changing nothing."""
    if rule.runner:
        return import_string(rule.counter)(now=now)
    return _due_rows(rule, now).count()


def select(keys: Iterable[str] | None = None) -> list[Rule]:
    """The daily rules, or those named by `keys` (ValueError naming any unknown key or a
    rule that only applies when something happens)."""
    daily = [rule for rule in RULES if rule.daily]
    if keys is None:
        return daily
    wanted = list(dict.fromkeys(keys))
    known = {rule.key for rule in daily}
    unknown = [key for key in wanted if key not in known]
    if unknown:
        raise ValueError(
            f"No daily retention rule called {', '.join(map(repr, unknown))}. "
            f"The rules are: {', '.join(sorted(known))}."
        )
    return [rule for rule in daily if rule.key in wanted]


def run(
    now: datetime | None = None,
    keys: Iterable[str] | None = None,
    on_rule: Callable[[Rule, int | Exception], None] | None = None,
) -> dict[str, int]:
    """Apply every daily rule (or those named by `keys`) as of `now`; rows removed per rule
    key. `on_rule` is told each rule's count, or its exception, as it finishes. One failing
    rule does not stop the others (it is logged and raised again at the end, so the job
    shows as failed)."""
    now = now or timezone.now()
    removed, failures = {}, []
    for rule in select(keys):
        outcome: int | Exception
        try:
            outcome = removed[rule.key] = apply(rule, now)
        except Exception as exc:  # noqa: BLE001 - reported below, after the other rules ran
            log.exception("retention rule %r failed", rule.key)
            failures.append(exc)
            outcome = exc
        if on_rule:
            on_rule(rule, outcome)
    if failures:
        raise failures[0]
    return removed


def dry_run(now: datetime | None = None, keys: Iterable[str] | None = None) -> dict[str, int]:
    """What `run(now, keys)` would remove per rule key; nothing is changed."""
    now = now or timezone.now()
    return {rule.key: count_due(rule, now) for rule in select(keys)}
