"""Keeping the roll-ups true when posts go (a deleted post, or its account, leaves the sums of its
day once the deletion commits) and the posts' local times true when the workspace's zone
changes."""

from __future__ import annotations

import threading
from datetime import date

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import Workspace
from accounts.workspaces import timezone_changed

from . import rollups, tasks
from .models import PostInsight

_pending = threading.local()


def _days() -> set[tuple[int, date]]:
    if not hasattr(_pending, "days"):
        _pending.days = set()
    return _pending.days


def _refresh_pending() -> None:
    days, _pending.days = _days(), set()
    rollups.refresh(days)


@receiver(post_delete, sender=PostInsight)
def forget_deleted_post(sender: type, instance: PostInsight, **kwargs: object) -> None:
    # One refresh per transaction, of every day it touched. A rolled-back transaction drops its
    # callback, and the days it collected start afresh with the next one.
    waiting = transaction.get_connection().run_on_commit
    first = not any(callback is _refresh_pending for _, callback, _ in waiting)
    if first:
        _pending.days = set()
    _days().add((instance.account_id, instance.local_day))
    if first:
        transaction.on_commit(_refresh_pending)


@receiver(timezone_changed)
def follow_the_new_time_zone(sender: type, workspace: Workspace, **kwargs: object) -> None:
    tasks.relocalize.delay(workspace.pk)
