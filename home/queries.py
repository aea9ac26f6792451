"""What the workspace home asks: the things waiting for this person, and today's schedule.

Each section is one list query (at most SHOWN rows, with what it links to selected or
prefetched) and one count, so the home costs the same whatever the workspace holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Membership
from accounts.roles import Capability
from connections.models import ConnectedAccount
from inbox.models import Conversation
from inbox.queries import unread_for
from publishing.models import Post, PostTarget
from publishing.status import Status, post_status
from publishing.timezones import day_bounds_utc, to_local

SHOWN = 5
TODAY_SHOWN = 8
PROBLEM_STATES = (PostTarget.State.FAILED, PostTarget.State.NEEDS_ATTENTION)


@dataclass(frozen=True)
class Section:
    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Slot:
    post: Post
    status: Status  # failed or out, from its accounts, not only the post's stage


@dataclass(frozen=True)
class Today:
    slots: list[Slot]
    total: int
    still_to_go: int  # scheduled from now on


@dataclass(frozen=True)
class Home:
    to_review: Section | None  # None: this person's role does not approve
    changes_requested: Section | None  # None: this person's role does not compose
    needs_attention: Section
    reconnect: Section
    unread: Section
    today: Today

    @property
    def waiting(self) -> int:
        """How many things need this person, for the page's headline."""
        sections = (
            self.to_review,
            self.changes_requested,
            self.needs_attention,
            self.reconnect,
            self.unread,
        )
        return sum(s.total for s in sections if s is not None)


def _section(qs: QuerySet[Any], shown: int = SHOWN) -> Section:
    items = list(qs[:shown])
    # A short list is the whole list: the count is only asked when there may be more.
    total = len(items) if len(items) < shown else qs.count()
    return Section(items, total)


def _with_targets(qs: QuerySet[Post]) -> QuerySet[Post]:
    targets = PostTarget.objects.select_related("account").order_by("account__display_name", "pk")
    return qs.select_related("author").prefetch_related(Prefetch("targets", queryset=targets))


def today_bounds(tz_name: str, now: datetime) -> tuple[datetime, datetime]:
    """Midnight to midnight of `now`'s day in the workspace's zone (a DST day is 23 or 25 h)."""
    return day_bounds_utc(to_local(now, tz_name).date(), tz_name)


def today(membership: Membership, now: datetime) -> Today:
    workspace = membership.workspace
    start, end = today_bounds(workspace.timezone, now)
    qs = Post.objects.filter(
        workspace=workspace,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        stage__in=(Post.Stage.SCHEDULED, Post.Stage.PUBLISHED),
    ).order_by("scheduled_at", "pk")
    to_go = Q(stage=Post.Stage.SCHEDULED, scheduled_at__gte=now)
    counts = qs.aggregate(total=Count("pk"), still_to_go=Count("pk", filter=to_go))
    slots = [
        Slot(post, post_status(post, list(post.targets.all())))
        for post in _with_targets(qs)[:TODAY_SHOWN]
    ]
    return Today(slots, counts["total"], counts["still_to_go"])


def home(membership: Membership, now: datetime) -> Home:
    workspace, user = membership.workspace, membership.user
    posts = Post.objects.filter(workspace=workspace)
    to_review = None
    if membership.can(Capability.APPROVE):
        waiting = posts.filter(stage=Post.Stage.IN_REVIEW).order_by("updated_at", "pk")
        to_review = _section(_with_targets(waiting))
    changes_requested = None
    if membership.can(Capability.COMPOSE):
        sent_back = posts.filter(stage=Post.Stage.CHANGES_REQUESTED, author=user)
        changes_requested = _section(_with_targets(sent_back.order_by("-updated_at", "-pk")))
    failing = PostTarget.objects.filter(post=OuterRef("pk"), state__in=PROBLEM_STATES)
    needs_attention = _section(
        _with_targets(posts.filter(Exists(failing)).order_by("-updated_at", "-pk"))
    )
    reconnect = _section(
        ConnectedAccount.objects.filter(workspace=workspace)
        .exclude(status=ConnectedAccount.Status.ACTIVE)
        .order_by("display_name", "pk")
    )
    unread = _section(
        Conversation.objects.filter(
            workspace=workspace, assignee=user, status=Conversation.Status.OPEN
        )
        .filter(unread_for(user))
        .select_related("account")
        .order_by("-last_inbound_at", "-pk")
    )
    return Home(
        to_review=to_review,
        changes_requested=changes_requested,
        needs_attention=needs_attention,
        reconnect=reconnect,
        unread=unread,
        today=today(membership, now),
    )
