"""Moving a post from the calendar (drag) or the queue (swap): the rules of an edit, as the
person saw it, never into the past, and within the plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import moving
from publishing.models import Post, PostTarget, ReviewDecision
from publishing.timezones import to_local
from tests.billing.plan_states import put_on
from tests.factories import MembershipFactory

S = PostTarget.State


@pytest.fixture
def x(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


def scheduled(workspace, x, when: datetime, *, state=S.SCHEDULED, stage=Post.Stage.SCHEDULED):
    post = Post.objects.create(workspace=workspace, text="Launch", scheduled_at=when, stage=stage)
    PostTarget.objects.create(post=post, account=x, state=state, due_at=when)
    return post


def soon(days: int = 1, hour: int = 10) -> datetime:
    day = timezone.now().astimezone(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def test_a_scheduled_post_moves_and_its_target_follows(workspace, owner, x):
    post = scheduled(workspace, x, soon(1))

    moving.move_post(post, owner, soon(2, 15), seen=soon(1))

    post.refresh_from_db()
    assert (post.scheduled_at, post.stage) == (soon(2, 15), Post.Stage.SCHEDULED)
    assert post.targets.get().due_at == soon(2, 15)


@pytest.mark.parametrize("state", [S.PUBLISHED, S.PUBLISHING, S.QUEUED])
def test_a_post_publishing_or_published_does_not_move(workspace, owner, x, state):
    post = scheduled(workspace, x, soon(1), state=state)

    with pytest.raises(UserFacingError, match="can no longer move"):
        moving.move_post(post, owner, soon(2), seen=soon(1))

    post.refresh_from_db()
    assert post.scheduled_at == soon(1)


def test_a_past_time_is_refused_and_nothing_changes(workspace, owner, x):
    post = scheduled(workspace, x, soon(1))

    with pytest.raises(UserFacingError, match="That time has passed"):
        moving.move_post(post, owner, timezone.now() - timedelta(hours=1), seen=soon(1))

    post.refresh_from_db()
    assert post.scheduled_at == soon(1)
    assert post.targets.get().due_at == soon(1)


def test_a_post_whose_time_changed_since_the_page_was_shown_is_not_moved(workspace, owner, x):
    post = scheduled(workspace, x, soon(1))
    Post.objects.filter(pk=post.pk).update(scheduled_at=soon(3))  # someone else moved it

    with pytest.raises(UserFacingError, match="changed time after you opened"):
        moving.move_post(post, owner, soon(2), seen=soon(1))

    assert Post.objects.get(pk=post.pk).scheduled_at == soon(3)


def test_an_editor_who_may_not_skip_review_sends_the_moved_post_back_to_review(workspace, x):
    workspace.approval_required = True
    workspace.save()
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR)
    post = scheduled(workspace, x, soon(1))

    moving.move_post(post, editor, soon(2), seen=soon(1))

    post.refresh_from_db()
    assert (post.stage, post.scheduled_at) == (Post.Stage.IN_REVIEW, soon(2))
    assert post.targets.get().state == S.DRAFT  # nothing goes out before approval
    assert post.decisions.get().kind == ReviewDecision.Kind.REOPENED


def test_an_owner_who_may_skip_review_keeps_it_scheduled(workspace, owner, x):
    workspace.approval_required = True
    workspace.save()
    post = scheduled(workspace, x, soon(1))

    moving.move_post(post, owner, soon(2), seen=soon(1))

    post.refresh_from_db()
    assert post.stage == Post.Stage.SCHEDULED
    assert post.targets.get().state == S.SCHEDULED


def test_a_draft_just_takes_the_new_time(workspace, owner, x):
    post = scheduled(workspace, x, soon(1), state=S.DRAFT, stage=Post.Stage.DRAFT)

    moving.move_post(post, owner, soon(2), seen=soon(1))

    post.refresh_from_db()
    assert (post.stage, post.scheduled_at) == (Post.Stage.DRAFT, soon(2))
    assert post.targets.get().state == S.DRAFT


def test_the_plan_limit_applies_in_the_month_moved_to(workspace, owner, x):
    put_on(workspace, "free")  # 30 scheduled posts a month
    now = timezone.now().astimezone(UTC)
    next_month = (now.replace(day=1) + timedelta(days=40)).replace(day=15, hour=10, minute=0)
    for _ in range(30):
        scheduled(workspace, x, next_month)
    post = scheduled(workspace, x, soon(1))

    with pytest.raises(UserFacingError, match="scheduled posts this month"):
        moving.move_post(post, owner, next_month + timedelta(days=1), seen=soon(1))

    post.refresh_from_db()
    assert post.scheduled_at == soon(1)
    assert post.targets.get().due_at == soon(1)


def test_swap_exchanges_two_times_or_neither(workspace, owner, x):
    first, second = scheduled(workspace, x, soon(1)), scheduled(workspace, x, soon(2))

    moving.swap(first, soon(1), second, soon(2), owner)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.scheduled_at, second.scheduled_at) == (soon(2), soon(1))

    PostTarget.objects.filter(post=second).update(state=S.PUBLISHED)
    with pytest.raises(UserFacingError):
        moving.swap(first, soon(2), second, soon(1), owner)
    first.refresh_from_db()
    assert first.scheduled_at == soon(2)


def test_move_endpoint_answers_json_and_refuses_viewers(client, workspace, owner, x):
    post = scheduled(workspace, x, soon(1))
    url = reverse("post_move", args=[workspace.slug, post.pk])
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER)
    to = f"{to_local(soon(2, 15), workspace.timezone):%Y-%m-%dT%H:%M}"  # as the page sends it

    client.force_login(viewer.user)
    assert client.post(url, {"to": to, "seen": soon(1).isoformat()}).status_code == 403

    client.force_login(owner.user)
    bad = client.post(url, {"to": "tomorrow", "seen": soon(1).isoformat()})
    assert bad.status_code == 400
    assert "not a time" in bad.json()["error"]
    stale = client.post(url, {"to": to, "seen": soon(3).isoformat()})
    assert stale.status_code == 400
    assert Post.objects.get(pk=post.pk).scheduled_at == soon(1)

    response = client.post(url, {"to": to, "seen": soon(1).isoformat()})
    assert response.status_code == 200
    assert response.json()["message"].startswith("Moved “Launch” to")
    assert Post.objects.get(pk=post.pk).scheduled_at == soon(2, 15)


def test_another_workspaces_post_cannot_be_moved(client, workspace, owner, x):
    from tests.factories import WorkspaceFactory

    other = WorkspaceFactory()
    theirs = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="o", display_name="O"
    )
    post = scheduled(other, theirs, soon(1))
    client.force_login(owner.user)
    response = client.post(
        reverse("post_move", args=[workspace.slug, post.pk]),
        {"to": "2030-01-01T10:00", "seen": soon(1).isoformat()},
    )
    assert response.status_code == 404
    assert Post.objects.get(pk=post.pk).scheduled_at == soon(1)
