"""Each account's queue: its upcoming scheduled posts in time order, and pausing it.

A paused account keeps its posts SCHEDULED; the dispatcher skips them (publisher.dispatch_due)
while the QueuePause row exists. On resume the ones whose time passed meanwhile go out on the
dispatcher's next run, as Buffer does and as after a plan pause, unless they are more than
publisher.EXPIRY_GRACE late by then (they expire as any missed post does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Workspace
from connections.models import ConnectedAccount

from .models import Post, PostTarget, QueuePause

S = PostTarget.State
SHOWN = 10  # each account's first posts on the Queues page
ACCOUNT_SHOWN = 50  # a window of one account's queue


@dataclass(frozen=True)
class Queue:
    account: ConnectedAccount
    paused: QueuePause | None
    targets: list[PostTarget]  # a window of the upcoming ones, in time order
    start: int  # how many upcoming ones come before the window
    upcoming: int  # all of them
    late: int  # due already but held by the pause
    above: PostTarget | None = None  # the one just before the window
    below: PostTarget | None = None  # the one just after it

    @property
    def more(self) -> int:
        """Upcoming posts after the window."""
        return self.upcoming - self.start - len(self.targets)

    @property
    def rows(self) -> list[tuple[PostTarget, PostTarget | None, PostTarget | None]]:
        """(target, the one above, the one below): the swaps Move up / Move down make."""
        padded = [self.above, *self.targets, self.below]
        return [(t, padded[i], padded[i + 2]) for i, t in enumerate(self.targets)]


def queues(
    workspace: Workspace,
    now: datetime | None = None,
    *,
    account: int | None = None,
    start: int = 0,
    shown: int = SHOWN,
) -> list[Queue]:
    """Every account of the workspace (or only `account`) with a window of its queue: the
    upcoming posts `start` to `start + shown`, and the one on each side for the swaps. Four
    queries whatever the queues hold: the accounts, the counts, the windows' ids and ranks,
    their targets with posts (a queue of thousands is never loaded whole)."""
    now = now or timezone.now()
    accounts = workspace.connected_accounts.select_related("queue_pause").order_by("pk")
    if account is not None:
        accounts = accounts.filter(pk=account)
    accounts = list(accounts)
    waiting = PostTarget.objects.filter(
        account__in=[a.pk for a in accounts], state=S.SCHEDULED, post__stage=Post.Stage.SCHEDULED
    )
    counts = {
        row["account_id"]: row
        for row in waiting.values("account_id").annotate(
            upcoming=Count("pk", filter=Q(due_at__gt=now)),
            late=Count("pk", filter=Q(due_at__lte=now)),
        )
    }
    windows: dict[int, list[tuple[int, PostTarget]]] = {a.pk: [] for a in accounts}
    for target in _windows(waiting, [a.pk for a in accounts], now, start, shown):
        windows[target.account_id].append((target.rank, target))
    result = []
    for each in accounts:
        found = dict(windows[each.pk])
        count = counts.get(each.pk, {"upcoming": 0, "late": 0})
        result.append(
            Queue(
                each,
                getattr(each, "queue_pause", None),
                [found[r] for r in range(start + 1, start + shown + 1) if r in found],
                start,
                count["upcoming"],
                count["late"],
                above=found.get(start),
                below=found.get(start + shown + 1),
            )
        )
    return result


def _windows(
    waiting: QuerySet[PostTarget], accounts: list[int], now: datetime, start: int, shown: int
) -> list[PostTarget]:
    """The targets ranked start to start + shown + 1 (ranks count from 1) among each account's
    upcoming ones, with their posts and a `rank`.

    PostgreSQL reads each account's window from the (account, state, due_at, id) index, one
    sliced SELECT per account in one UNION ALL query, so a window costs its rows, not the
    queue's length. SQLite (`make run`) cannot slice inside a UNION: a window function ranks."""
    first = max(start, 1)
    upcoming = waiting.filter(due_at__gt=now)
    if not accounts:
        return []
    if not connection.features.supports_slicing_ordering_in_compound:
        rank = Window(
            RowNumber(), partition_by=[F("account_id")], order_by=[F("due_at").asc(), F("pk").asc()]
        )
        ranked = upcoming.annotate(rank=rank).filter(rank__gte=first, rank__lte=start + shown + 1)
        return list(ranked.select_related("post"))
    slices = [
        upcoming.filter(account_id=account)
        .order_by("due_at", "pk")
        .values_list("account_id", "pk")[first - 1 : start + shown + 1]
        for account in accounts
    ]
    rows = slices[0].union(*slices[1:], all=True) if len(slices) > 1 else slices[0]
    found = list(upcoming.filter(pk__in=[pk for _, pk in rows]).select_related("post"))
    found.sort(key=lambda t: (t.account_id, t.due_at, t.pk))
    seen: dict[int, int] = {}
    for target in found:
        target.rank = first + seen.get(target.account_id, 0)
        seen[target.account_id] = seen.get(target.account_id, 0) + 1
    return found


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
