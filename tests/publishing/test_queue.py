"""Each account's queue: upcoming posts in order, Move up / Move down, and pausing it (the
dispatcher leaves a paused account's due posts waiting; on resume they go out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing import publisher, queue
from publishing.models import Post, PostTarget, QueuePause
from tests.factories import MembershipFactory

S = PostTarget.State


@pytest.fixture
def x(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


def scheduled(workspace, account, when: datetime, text: str = "Post") -> Post:
    post = Post.objects.create(
        workspace=workspace, text=text, scheduled_at=when, stage=Post.Stage.SCHEDULED
    )
    PostTarget.objects.create(post=post, account=account, state=S.SCHEDULED, due_at=when)
    return post


def at(days: int, hour: int = 10) -> datetime:
    day = timezone.now().astimezone(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_paused_accounts_due_post_is_not_claimed_and_goes_out_on_resume(
    db, workspace, x, celery_queue
):
    other = ConnectedAccount.objects.create(
        workspace=workspace, platform="facebook", external_id="fb", display_name="FB"
    )
    due = timezone.now() - timedelta(minutes=5)
    held = scheduled(workspace, x, due).targets.get()
    free = scheduled(workspace, other, due).targets.get()
    assert queue.pause(x)

    assert publisher.dispatch_due() == 1

    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.state, free.state) == (S.SCHEDULED, S.QUEUED)

    assert queue.resume(x)
    assert publisher.dispatch_due() == 1
    held.refresh_from_db()
    assert held.state == S.QUEUED
    assert not queue.resume(x)  # resuming twice is harmless


def test_a_target_claimed_just_before_the_pause_waits_instead_of_publishing(
    db, workspace, x, celery_queue
):
    target = scheduled(workspace, x, timezone.now() - timedelta(minutes=1)).targets.get()
    assert publisher.dispatch_due() == 1  # claimed: QUEUED
    queue.pause(x)

    assert publisher.publish_one(target.pk) == "paused"  # no platform call

    target.refresh_from_db()
    assert (target.state, target.attempts) == (S.SCHEDULED, 0)


def test_the_queue_lists_upcoming_posts_in_order_and_counts_the_held_ones(workspace, x):
    later = scheduled(workspace, x, at(3), "Later")
    sooner = scheduled(workspace, x, at(1), "Sooner")
    scheduled(workspace, x, timezone.now() - timedelta(hours=2), "Held")
    draft = Post.objects.create(workspace=workspace, text="Draft", scheduled_at=at(2))
    PostTarget.objects.create(post=draft, account=x, state=S.DRAFT)
    queue.pause(x)

    (only,) = queue.queues(workspace)

    assert [t.post for t in only.targets] == [sooner, later]
    assert only.late == 1
    assert only.paused is not None
    assert [(a and a.post, b and b.post) for _, a, b in only.rows] == [
        (None, later),
        (sooner, None),
    ]


def test_move_up_swaps_times_and_a_viewer_may_not(client, workspace, owner, x):
    first, second = scheduled(workspace, x, at(1), "First"), scheduled(workspace, x, at(2), "Two")
    url = reverse("post_queue_swap", args=[workspace.slug])
    data = {
        "post": second.pk,
        "post_seen": second.scheduled_at.isoformat(),
        "other": first.pk,
        "other_seen": first.scheduled_at.isoformat(),
    }
    client.force_login(MembershipFactory(workspace=workspace, role=Role.VIEWER).user)
    assert client.post(url, data).status_code == 403

    client.force_login(owner.user)
    response = client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("post_queue", args=[workspace.slug])
    assert "Moved “Two” to" in response.content.decode()
    queued = queue.queues(workspace)[0].targets
    assert [t.post.text for t in queued] == ["Two", "First"]

    again = client.post(url, data, follow=True)  # the page was stale: nothing moves
    assert "Nothing was moved" in again.content.decode()
    assert [t.post.text for t in queue.queues(workspace)[0].targets] == ["Two", "First"]


def test_pause_and_resume_from_the_page(client, workspace, owner, x):
    url = reverse("post_queue_pause", args=[workspace.slug])
    client.force_login(MembershipFactory(workspace=workspace, role=Role.VIEWER).user)
    assert client.post(url, {"account": x.pk, "action": "pause"}).status_code == 403
    assert client.get(reverse("post_queue", args=[workspace.slug])).status_code == 200

    client.force_login(owner.user)
    page = client.post(url, {"account": x.pk, "action": "pause"}, follow=True)
    assert QueuePause.objects.filter(account=x).exists()
    assert "Resume queue" in page.content.decode()
    calendar = client.get(reverse("calendar", args=[workspace.slug]))
    assert "Paused queues:" in calendar.content.decode()

    client.post(url, {"account": x.pk, "action": "resume"})
    assert not QueuePause.objects.exists()


def test_another_workspaces_account_cannot_be_paused(client, workspace, owner):
    from tests.factories import WorkspaceFactory

    theirs = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="x", external_id="o", display_name="O"
    )
    client.force_login(owner.user)
    url = reverse("post_queue_pause", args=[workspace.slug])
    assert client.post(url, {"account": theirs.pk, "action": "pause"}).status_code == 404
    assert client.post(url, {"account": "abc", "action": "pause"}).status_code == 404
    assert not QueuePause.objects.exists()
