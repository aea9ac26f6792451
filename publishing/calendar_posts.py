"""What the calendar reads: in each box (a local day of the month view, a local hour of the
week grid) its first few posts in time order, and how many the box holds in all.

A year of 100,000 posts puts hundreds on a day, so the page never loads a box whole. On
PostgreSQL each box reads only its first `per_box` ids from the (workspace, scheduled_at)
index (a LATERAL join over the boxes' bounds); elsewhere (SQLite, `make run`) a window function
ranks the posts within their box. The counts are one GROUP BY. Four queries whatever the
calendar holds: counts, ids, posts, their targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate, TruncHour

from accounts.models import Workspace
from connections.models import ConnectedAccount

from .models import Post, PostTarget

Box = tuple[dt.date, int | None]  # a local day, and its local hour in the week grid


@dataclass(frozen=True)
class Shown:
    posts: list[Post]  # in time order, at most per_box of each box (what a calendar shows)
    targets: dict[int, list[Target]]  # each post's, by platform
    counts: dict[Box, int]  # every post of each box that has one


def _bounds(first: dt.date, last: dt.date, zone: ZoneInfo, by_hour: bool) -> list[dt.datetime]:
    """The boxes' edges in UTC, in order: box i is [edges[i], edges[i + 1]). An hour the
    clocks skip is an empty box; an hour they repeat is one two-hour box."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 2)]
    starts = [
        dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
        for day in days[:-1]
        for hour in (range(24) if by_hour else [0])
    ]
    starts.append(dt.datetime.combine(days[-1], dt.time(0), tzinfo=zone))
    return [start.astimezone(dt.UTC) for start in starts]


def with_target(posts: QuerySet[Post], account: int | None, state: str) -> QuerySet[Post]:
    """Only the posts with one target that is on `account` and in `state` (when given): "failed
    on X", not "on X, failed anywhere". The calendar's and the posts list's filters."""
    wanted: dict[str, int | str] = {}
    if account is not None:
        wanted["account_id"] = account
    if state:
        wanted["state"] = state
    if wanted:
        posts = posts.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), **wanted)))
    return posts


# Each box's first ids, read from the (workspace, scheduled_at) index box by box. The filters
# are constant conditions (an absent one is NULL or ''), which PostgreSQL folds away.
FIRST_IDS_SQL = """
SELECT first.id FROM unnest(%(lo)s::timestamptz[], %(hi)s::timestamptz[]) AS box(lo, hi)
CROSS JOIN LATERAL (
    SELECT p.id FROM publishing_post p
    WHERE p.workspace_id = %(workspace)s AND p.scheduled_at >= box.lo AND p.scheduled_at < box.hi
    AND (%(filtered)s = false OR EXISTS (
        SELECT 1 FROM publishing_posttarget t WHERE t.post_id = p.id
        AND (%(account)s::bigint IS NULL OR t.account_id = %(account)s)
        AND (%(state)s = '' OR t.state = %(state)s)))
    ORDER BY p.scheduled_at, p.id LIMIT %(per_box)s
) AS first
"""


def _first_ids_lateral(
    workspace: Workspace, edges: list[dt.datetime], account: int | None, state: str, per_box: int
) -> list[int]:
    params = {
        "lo": edges[:-1],
        "hi": edges[1:],
        "workspace": workspace.pk,
        "filtered": bool(account or state),
        "account": account,
        "state": state,
        "per_box": per_box,
    }
    with connection.cursor() as cursor:
        cursor.execute(FIRST_IDS_SQL, params)
        return [row[0] for row in cursor.fetchall()]


def shown_posts(
    workspace: Workspace,
    first: dt.date,
    last: dt.date,
    *,
    account: int | None,
    state: str,
    by_hour: bool,
    per_box: int,
) -> Shown:
    """The boxes of the local days first to last (by local hour when `by_hour`)."""
    zone = ZoneInfo(workspace.timezone)
    edges = _bounds(first, last, zone, by_hour)
    posts = with_target(
        Post.objects.filter(
            workspace=workspace, scheduled_at__gte=edges[0], scheduled_at__lt=edges[-1]
        ),
        account,
        state,
    )
    # The local time truncated in SQL: a repeated hour (clocks going back) is one box.
    trunc = TruncHour if by_hour else TruncDate
    counts: dict[Box, int] = {}
    # COUNT(*), not COUNT(id): PostgreSQL then counts from the index alone.
    for row in posts.values(box=trunc("scheduled_at", tzinfo=zone)).annotate(n=Count("*")):
        value = row["box"]
        counts[(value.date(), value.hour) if by_hour else (value, None)] = row["n"]
    if connection.vendor == "postgresql":
        ids = _first_ids_lateral(workspace, edges, account, state, per_box)
    else:
        rank = Window(
            RowNumber(),
            partition_by=[trunc("scheduled_at", tzinfo=zone)],
            order_by=[F("scheduled_at").asc(), F("pk").asc()],
        )
        ranked = posts.annotate(rank=rank).filter(rank__lte=per_box)
        ids = list(ranked.values_list("pk", flat=True))
    shown = list(
        Post.objects.filter(pk__in=ids)
        .only("pk", "text", "stage", "scheduled_at")
        .order_by("scheduled_at", "pk")
    )
    return Shown(shown, targets_of([post.pk for post in shown]), counts)


class Target(NamedTuple):
    """What the scheduling pages show of a post's target."""

    account_id: int
    state: str
    platform: str
    account: str  # as str(ConnectedAccount) gives it


def targets_of(
    post_ids: list[int], order: tuple[str, ...] = ("account__platform", "pk")
) -> dict[int, list[Target]]:
    """Each post's targets with their accounts' names, in one query and without a model
    instance per target (a busy week shows 700): grouped here, as prefetch_related would
    clone a queryset per post."""
    targets: dict[int, list[Target]] = {pk: [] for pk in post_ids}
    names: dict[int, str] = {}
    rows = (
        PostTarget.objects.filter(post_id__in=post_ids)
        .order_by(*order)
        .values_list("post_id", "account_id", "state", "account__platform", "account__display_name")
    )
    for post_id, account_id, state, platform, display_name in rows:
        if account_id not in names:
            names[account_id] = str(ConnectedAccount(platform=platform, display_name=display_name))
        targets[post_id].append(Target(account_id, state, platform, names[account_id]))
    return targets
