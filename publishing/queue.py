"""Each account's queue: its upcoming scheduled posts in time order, and pausing it.

A paused account keeps its posts SCHEDULED; the dispatcher skips them (publisher.dispatch_due)
while the QueuePause row exists. On resume the ones whose time passed meanwhile go out on the
dispatcher's next run, as Buffer does and as after a plan pause, unless they are more than
publisher.EXPIRY_GRACE late by then (they expire as any missed post does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Workspace
from connections.models import ConnectedAccount

from .models import Post, PostTarget, QueuePause

S = PostTarget.State


@dataclass(frozen=True)
class Queue:
    account: ConnectedAccount
    paused: QueuePause | None
    targets: list[PostTarget]  # upcoming, in time order
    late: int  # due already but held by the pause

    @property
    def rows(self) -> list[tuple[PostTarget, PostTarget | None, PostTarget | None]]:
        """(target, the one above, the one below): the swaps Move up / Move down make."""
        padded = [None, *self.targets, None]
        return [(t, padded[i], padded[i + 2]) for i, t in enumerate(self.targets)]


def queues(workspace: Workspace, now: datetime | None = None) -> list[Queue]:
    """Every account of the workspace with its queue; a fixed number of queries."""
    now = now or timezone.now()
    waiting = (
        PostTarget.objects.filter(state=S.SCHEDULED, post__stage=Post.Stage.SCHEDULED)
        .select_related("post")
        .order_by("due_at", "pk")
    )
    accounts = workspace.connected_accounts.select_related("queue_pause").prefetch_related(
        Prefetch("targets", waiting, to_attr="waiting")
    )
    result = []
    for account in accounts:
        paused = getattr(account, "queue_pause", None)
        upcoming = [t for t in account.waiting if t.due_at > now]
        result.append(Queue(account, paused, upcoming, len(account.waiting) - len(upcoming)))
    return result


def paused_account_ids(workspace: Workspace) -> set[int]:
    return set(
        QueuePause.objects.filter(account__workspace=workspace).values_list("account_id", flat=True)
    )


def pause(account: ConnectedAccount) -> bool:
    """Pause the account's queue; False when it already was."""
    return QueuePause.objects.get_or_create(account=account)[1]


def resume(account: ConnectedAccount) -> bool:
    """Resume it; False when it was not paused."""
    return QueuePause.objects.filter(account=account).delete()[0] > 0
