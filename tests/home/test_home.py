"""The workspace home: what needs the person, by role, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from home.queries import today_bounds
from inbox.models import Conversation, ReadMark
from publishing.models import Post, PostTarget
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Roastery", slug="roastery", timezone="Europe/Paris")


@pytest.fixture
def people(workspace):
    return {
        role: MembershipFactory(workspace=workspace, role=role, user__full_name=f"{role} person")
        for role in (Role.OWNER, Role.EDITOR, Role.APPROVER, Role.VIEWER)
    }


@pytest.fixture
def account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Roastery on X"
    )


def _post(workspace, account, author, stage, text, **fields):
    post = Post.objects.create(workspace=workspace, author=author, stage=stage, text=text, **fields)
    state = fields.pop("target_state", PostTarget.State.DRAFT)
    PostTarget.objects.create(post=post, account=account, state=state)
    return post


def seed(workspace, account, people, n: int, first: int = 0) -> None:
    """n of everything the home lists, for the editor, the approver and the owner (numbered
    from `first`, so a second call adds more)."""
    editor = people[Role.EDITOR].user
    now = timezone.now()
    for i in range(first, first + n):
        _post(workspace, account, editor, Post.Stage.IN_REVIEW, f"Review me {i}")
        _post(workspace, account, editor, Post.Stage.CHANGES_REQUESTED, f"Fix me {i}")
        failed = _post(
            workspace, account, editor, Post.Stage.SCHEDULED, f"Broken {i}", scheduled_at=now
        )
        failed.targets.update(state=PostTarget.State.FAILED, last_error="The token expired.")
        _post(
            workspace,
            account,
            editor,
            Post.Stage.SCHEDULED,
            f"Later today {i}",
            scheduled_at=now + timedelta(seconds=i + 1),
        )
        ConnectedAccount.objects.create(
            workspace=workspace,
            platform="youtube",
            external_id=f"yt-{i}",
            display_name=f"Channel {i}",
            status=ConnectedAccount.Status.NEEDS_RECONNECT,
        )
        Conversation.objects.create(
            workspace=workspace,
            account=account,
            kind=Conversation.Kind.MESSAGE,
            thread_key=f"c-{i}",
            participant_id=f"c-{i}",
            participant_name=f"Customer {i}",
            preview="Is the shop open on Sunday?",
            last_inbound_at=now,
            assignee=people[Role.APPROVER].user,
        )


def _home(client, membership):
    client.force_login(membership.user)
    response = client.get(reverse("workspace_dashboard", args=[membership.workspace.slug]))
    assert response.status_code == 200
    return response


def test_the_approver_sees_what_waits_for_review_and_their_unread_conversations(
    client, workspace, account, people
):
    seed(workspace, account, people, 2)
    home = _home(client, people[Role.APPROVER]).context["home"]
    assert sorted(p.text for p in home.to_review.items) == ["Review me 0", "Review me 1"]
    assert home.changes_requested is None  # an approver does not compose
    assert {c.participant_name for c in home.unread.items} == {"Customer 0", "Customer 1"}
    assert home.needs_attention.total == 2
    assert home.reconnect.total == 2


def test_an_editor_sees_their_own_posts_sent_back_and_no_review_queue(
    client, workspace, account, people
):
    seed(workspace, account, people, 1)
    someone_else = people[Role.OWNER].user
    _post(workspace, account, someone_else, Post.Stage.CHANGES_REQUESTED, "Owner's draft")
    response = _home(client, people[Role.EDITOR])
    home = response.context["home"]
    assert home.to_review is None
    assert [p.text for p in home.changes_requested.items] == ["Fix me 0"]
    assert home.unread.total == 0  # assigned to the approver, not to them
    page = response.content.decode()
    assert "Sent back to you" in page
    assert "Waiting for your review" not in page
    assert reverse("post_detail", args=["roastery", home.changes_requested.items[0].pk]) in page


def test_a_conversation_read_since_the_customer_wrote_is_not_unread(
    client, workspace, account, people
):
    seed(workspace, account, people, 2)
    approver = people[Role.APPROVER].user
    read = Conversation.objects.get(thread_key="c-0")
    ReadMark.objects.create(conversation=read, user=approver, read_at=timezone.now())
    home = _home(client, people[Role.APPROVER]).context["home"]
    assert [c.participant_name for c in home.unread.items] == ["Customer 1"]


def test_the_viewer_gets_a_read_only_home(client, workspace, account, people):
    seed(workspace, account, people, 1)
    response = _home(client, people[Role.VIEWER])
    page = response.content.decode()
    assert response.context["home"].to_review is None
    assert response.context["home"].changes_requested is None
    assert "Posts that didn’t go out" in page
    assert "The token expired." in page
    assert "Ask an admin to reconnect it." in page
    assert "Compose a post" not in page
    assert 'aria-label="Reconnect' not in page
    viewer_post = client.post(reverse("workspace_dashboard", args=["roastery"]))
    assert viewer_post.status_code == 405


def test_nothing_needs_you_says_what_goes_out_today(client, workspace, account, people):
    now = timezone.now()
    owner = people[Role.OWNER].user
    for minutes in (5, 10, 15):
        _post(
            workspace,
            account,
            owner,
            Post.Stage.SCHEDULED,
            f"In {minutes} minutes",
            scheduled_at=now + timedelta(minutes=minutes),
        )
    response = _home(client, people[Role.EDITOR])
    page = " ".join(response.content.decode().split())
    start, end = today_bounds("Europe/Paris", now)
    expected = sum(start <= now + timedelta(minutes=m) < end for m in (5, 10, 15))
    assert "Nothing needs you." in page
    assert f"{expected} post{'s go' if expected != 1 else ' goes'} out today." in page


def test_today_is_the_workspaces_day_not_the_servers():
    paris = ZoneInfo("Europe/Paris")
    # 23:30 UTC on 6 December is already 7 December in Paris.
    start, end = today_bounds("Europe/Paris", datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    assert start == datetime(2026, 12, 7, tzinfo=paris)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=1)
    # The day clocks go forward lasts 23 hours.
    start, end = today_bounds("Europe/Paris", datetime(2026, 3, 29, 12, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


def test_a_post_scheduled_tomorrow_in_the_workspace_zone_is_not_today(
    client, workspace, account, people
):
    start, end = today_bounds("Europe/Paris", timezone.now())
    owner = people[Role.OWNER].user
    _post(workspace, account, owner, Post.Stage.SCHEDULED, "Tomorrow", scheduled_at=end)
    _post(workspace, account, owner, Post.Stage.SCHEDULED, "Midnight", scheduled_at=start)
    today = _home(client, people[Role.OWNER]).context["home"].today
    assert [s.post.text for s in today.slots] == ["Midnight"]


@pytest.mark.parametrize("role", [Role.OWNER, Role.APPROVER, Role.EDITOR, Role.VIEWER])
def test_the_home_costs_the_same_whatever_the_workspace_holds(
    client, workspace, account, people, role
):
    membership = people[role]
    client.force_login(membership.user)
    url = reverse("workspace_dashboard", args=["roastery"])
    client.get(url)  # the first request of a session asks more (session, consent)
    counts = []
    # Both sizes are over every list's length, so both ask every count.
    for first, n in ((0, 6), (6, 14)):
        seed(workspace, account, people, n, first)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
