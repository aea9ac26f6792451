"""Usage against the plan, for the billing page: the same counts the enforcement uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.limits import seats_in_use
from accounts.models import Invitation
from accounts.roles import Role
from assistant import drafts
from assistant.models import AIUsage
from billing.usage import over_limit_lines, usage
from connections.limits import accounts_in_use
from connections.models import ConnectedAccount
from mixora import limits
from publishing.limits import scheduled_in_month, scheduled_this_month
from publishing.models import Post
from tests.factories import WorkspaceFactory

from .plan_states import put_on

pytestmark = pytest.mark.django_db


def _account(workspace, n: int, status: str = ConnectedAccount.Status.ACTIVE):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id=str(n), display_name=f"X {n}", status=status
    )


def _post(workspace, when: datetime, stage: str = Post.Stage.SCHEDULED) -> Post:
    return Post.objects.create(workspace=workspace, text="Hi", stage=stage, scheduled_at=when)


def test_connected_accounts_count_unless_revoked(workspace):
    S = ConnectedAccount.Status
    for n, status in enumerate([S.ACTIVE, S.NEEDS_RECONNECT, S.PAUSED, S.REVOKED]):
        _account(workspace, n, status)
    _account(WorkspaceFactory(), 9)  # another workspace's

    assert accounts_in_use(workspace) == 3


def test_seats_are_members_and_live_invitations(workspace, owner, make_member):
    make_member(workspace, Role.EDITOR)
    Invitation.objects.create(workspace=workspace, email="live@example.test")
    Invitation.objects.create(
        workspace=workspace,
        email="old@example.test",
        sent_at=timezone.now() - timedelta(days=30),  # expired: can't make a member
    )
    Invitation.objects.create(
        workspace=workspace, email="done@example.test", accepted_at=timezone.now()
    )

    assert seats_in_use(workspace) == 3  # two members, one live invitation


def test_scheduled_posts_count_in_the_local_month_of_their_time(db):
    # Auckland is UTC+13 in January: 1 February 00:30 there is still 31 January in UTC.
    workspace = WorkspaceFactory(timezone="Pacific/Auckland")
    feb_local_start = datetime(2031, 1, 31, 11, 30, tzinfo=UTC)
    jan_last = datetime(2031, 1, 31, 10, 30, tzinfo=UTC)  # 23:30 on 31 January there
    _post(workspace, feb_local_start)
    _post(workspace, jan_last)
    _post(workspace, jan_last, Post.Stage.PUBLISHED)  # went out: still counts
    _post(workspace, jan_last, Post.Stage.DRAFT)  # not on the schedule
    _post(workspace, jan_last, Post.Stage.IN_REVIEW)

    assert scheduled_in_month(workspace, jan_last) == 2
    assert scheduled_in_month(workspace, feb_local_start) == 1
    one = Post.objects.filter(stage=Post.Stage.PUBLISHED).get()
    assert scheduled_in_month(workspace, jan_last, except_post=one.pk) == 1


def test_usage_lines_on_the_free_plan(workspace, owner, make_member):
    put_on(workspace, "free")
    for n in range(3):
        _account(workspace, n)
    make_member(workspace, Role.EDITOR)
    _post(workspace, timezone.now())

    lines = {line.name: line for line in usage(workspace)}

    accounts = lines[limits.SOCIAL_ACCOUNTS]
    assert (accounts.used, accounts.limit, accounts.percent, accounts.over) == (3, 2, 100, True)
    seats = lines[limits.MEMBERS]
    assert (seats.used, seats.limit, seats.percent, seats.over) == (2, 2, 100, False)
    posts = lines[limits.SCHEDULED_POSTS_MONTH]
    assert (posts.used, posts.limit, posts.percent, posts.over) == (1, 30, 3, False)
    assert posts.used == scheduled_this_month(workspace)
    ai = lines[limits.AI_CREDITS_MONTH]
    assert (ai.used, ai.limit, ai.over, ai.note) == (0, 25, False, "")
    inbox = lines[limits.INBOX]
    assert inbox.feature
    assert not inbox.enabled
    assert [line.label for line in usage(workspace)] == [
        "Connected social accounts",
        "Team members and pending invitations",
        "Scheduled posts this month",
        "AI drafts this month",
        "Unified inbox",
    ]


def test_paid_plan_lines_are_unlimited_where_the_plan_is(workspace, owner):
    put_on(workspace, "pro")
    _post(workspace, timezone.now())

    lines = {line.name: line for line in usage(workspace)}

    assert lines[limits.SCHEDULED_POSTS_MONTH].limit is None
    assert lines[limits.SCHEDULED_POSTS_MONTH].percent == 0
    assert lines[limits.SOCIAL_ACCOUNTS].limit == 10
    assert lines[limits.INBOX].enabled
    assert lines[limits.AI_CREDITS_MONTH].limit == 300


def test_ai_drafts_count_this_months_requests_in_the_workspaces_zone(workspace, owner):
    put_on(workspace, "free")
    workspace.timezone = "Pacific/Auckland"
    workspace.save()
    month = drafts.this_month(workspace)
    AIUsage.objects.create(workspace=workspace, month=month, requests=7)
    AIUsage.objects.create(workspace=workspace, month=month - timedelta(days=1), requests=24)
    AIUsage.objects.create(workspace=WorkspaceFactory(), month=month, requests=3)

    ai = {line.name: line for line in usage(workspace)}[limits.AI_CREDITS_MONTH]

    assert (ai.label, ai.used, ai.limit, ai.percent) == ("AI drafts this month", 7, 25, 28)
    assert ai.used == drafts.requests_this_month(workspace)  # what the enforcement counts


def test_ai_drafts_all_used_say_when_they_come_back_and_are_no_over_limit_notice(workspace, owner):
    put_on(workspace, "pro")
    month = drafts.this_month(workspace)
    AIUsage.objects.create(workspace=workspace, month=month, requests=40)
    put_on(workspace, "free")  # downgraded after using more than Free's 25

    ai = {line.name: line for line in usage(workspace)}[limits.AI_CREDITS_MONTH]

    renews = (month + timedelta(days=32)).replace(day=1)
    assert (ai.used, ai.limit, ai.over) == (40, 25, True)
    assert ai.note == f"All used: new AI drafts can be made from {renews:%-d %B}, or upgrade."
    assert over_limit_lines(workspace) == []  # spent credits are nothing to remove


def test_over_limit_lines_say_what_to_remove(workspace, owner, make_member):
    put_on(workspace, "free")
    for n in range(3):
        _account(workspace, n)
    for _ in range(3):
        make_member(workspace, Role.VIEWER)

    assert over_limit_lines(workspace) == [
        "3 connected social accounts over your Free plan's 2: disconnect 1 or upgrade.",
        "4 team members and pending invitations over your Free plan's 2: remove 2 or upgrade.",
    ]


def test_within_the_plan_nothing_is_over(workspace, owner):
    put_on(workspace, "free")
    _account(workspace, 1)

    assert over_limit_lines(workspace) == []
