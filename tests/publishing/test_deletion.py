"""Deleting a post: who may, what goes with it (targets, comments, review history, the
publishing copies of its files, not the library files), and never against the publisher — a
post being published is refused, and a deleted post is never published."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import composer, deletion, publisher, workflow
from publishing.models import Post, PostComment, PostMedia, PostTarget, ReviewDecision
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.publishing_fixtures import make_due

S = PostTarget.State


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR, full_name="Eddie Editor")


def membership(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


def make_post(workspace, author, accounts, text="Spring menu", media=(), when=None) -> Post:
    data = composer.PostInput(
        text=text,
        media_ids=[m.pk for m in media],
        targets=[composer.TargetInput(a.pk) for a in accounts],
        scheduled_at=when,
    )
    post, _ = composer.save(workspace, author, data)
    return post


def delete_url(post: Post) -> str:
    return reverse("post_delete", args=[post.workspace.slug, post.pk])


# --- What goes with a post --------------------------------------------------------------------


def test_the_author_deletes_a_scheduled_post_with_everything_that_hangs_off_it(
    client, workspace, owner, editor, x_account, upload, django_capture_on_commit_callbacks
):
    image = upload("image")
    post = make_post(
        workspace, editor, [x_account], media=[image], when=timezone.now() + timedelta(days=1)
    )
    workflow.schedule(post, membership(editor, workspace))
    workflow.comment(post, owner.user, "Looks good")
    ReviewDecision.objects.create(post=post, kind=ReviewDecision.Kind.SUBMITTED, actor=editor)
    (copy,) = PostMedia.objects.filter(post=post).values_list("payload", flat=True)
    assert default_storage.exists(copy)
    client.force_login(editor)

    page = client.get(delete_url(post))
    assert page.status_code == 200
    assert "cancel it: it will not be published to X: Acme on X" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(post))

    assert response.status_code == 302
    assert response["Location"] == reverse("post_list", args=["acme"]) + "?tab=queue"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Deleted “Spring menu”."]
    assert not Post.objects.filter(pk=post.pk).exists()
    for model in (PostTarget, PostMedia, PostComment, ReviewDecision):
        assert not model.objects.filter(post_id=post.pk).exists(), model
    assert not default_storage.exists(copy)  # the publishing copy, after commit
    assert default_storage.exists(image.file.name)  # the library keeps its file
    event = AuditEvent.objects.get(action=AuditAction.POST_DELETED)
    assert (event.actor, event.workspace) == (editor, workspace)
    assert event.details == {"post_id": post.pk, "stage": "scheduled", "deleted_on": []}
    assert "Spring menu" not in str(event.details)  # the audit trail keeps no content


def test_a_draft_in_review_goes_back_to_the_review_tab(client, workspace, owner, x_account):
    post = make_post(workspace, owner.user, [x_account], when=timezone.now() + timedelta(hours=2))
    workflow.submit(post, owner)
    client.force_login(owner.user)

    response = client.post(delete_url(post))

    assert response["Location"].endswith("?tab=review")
    assert not Post.objects.filter(pk=post.pk).exists()


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "is_author", "allowed"),
    [
        (Role.OWNER, False, True),
        (Role.ADMIN, False, True),
        (Role.EDITOR, True, True),
        (Role.EDITOR, False, False),
        (Role.APPROVER, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_only_the_author_owners_and_admins_may_delete(
    client, workspace, owner, x_account, make_member, role, is_author, allowed
):
    actor = owner.user if role == Role.OWNER else make_member(workspace, role)
    author = actor if is_author else make_member(workspace, Role.EDITOR)
    post = make_post(workspace, author, [x_account])
    client.force_login(actor)

    detail = client.get(reverse("post_detail", args=["acme", post.pk])).content.decode()
    listed = client.get(reverse("post_list", args=["acme"]) + "?tab=drafts").content.decode()
    page = client.get(delete_url(post))
    response = client.post(delete_url(post))

    assert Post.objects.filter(pk=post.pk).exists() is not allowed
    assert (delete_url(post) in detail) is allowed  # the Delete action is offered, or not
    assert (delete_url(post) in listed) is allowed
    if allowed:
        assert page.status_code == 200
        assert response.status_code == 302
    elif role == Role.EDITOR:  # composes, but not this post: told why, and refused
        assert page.status_code == 200
        assert "Only its author or an owner or admin" in page.content.decode()
        assert response.status_code == 403
    else:
        assert page.status_code == response.status_code == 403


def test_an_author_who_can_no_longer_compose_may_not_delete(workspace, x_account, make_member):
    author = make_member(workspace, Role.EDITOR)
    post = make_post(workspace, author, [x_account])
    Membership.objects.filter(user=author).update(role=Role.VIEWER)

    assert deletion.may_delete(post, membership(author, workspace)) is False


def test_another_workspaces_post_is_a_404(client, workspace, owner):
    other = WorkspaceFactory(slug="other")
    MembershipFactory(workspace=other, user=owner.user, role=Role.OWNER)
    theirs = Post.objects.create(workspace=other, text="Theirs", author=owner.user)
    client.force_login(owner.user)

    # Through acme's URLs, a post of another workspace (even one the person is in) is not found.
    assert client.get(reverse("post_delete", args=["acme", theirs.pk])).status_code == 404
    assert client.post(reverse("post_delete", args=["acme", theirs.pk])).status_code == 404
    assert Post.objects.filter(pk=theirs.pk).exists()


def test_the_service_refuses_a_member_who_may_not_even_when_called_directly(
    workspace, x_account, make_member
):
    from django.core.exceptions import PermissionDenied

    post = make_post(workspace, make_member(workspace, Role.EDITOR), [x_account])
    approver = make_member(workspace, Role.APPROVER)

    with pytest.raises(PermissionDenied):
        deletion.delete_post(post, membership(approver, workspace))

    assert Post.objects.filter(pk=post.pk).exists()


# --- Against the publisher ----------------------------------------------------------------------


def test_a_deleted_scheduled_post_is_never_dispatched(workspace, owner, x_account, celery_queue):
    post = make_post(workspace, owner.user, [x_account], when=timezone.now() + timedelta(hours=1))
    make_due(workflow.schedule(post, owner), timezone.now() - timedelta(seconds=1))

    deletion.delete_post(post, owner)

    assert publisher.dispatch_due() == 0
    assert celery_queue() == []


def test_a_target_the_dispatcher_claimed_is_refused_then_deletable_once_published(
    accounts, owner, scheduled_post, emulator, celery_queue
):
    post = scheduled_post([accounts["x"]], "Claimed by the dispatcher")
    assert publisher.dispatch_due() == 1  # as the beat task does: the target is QUEUED
    target = post.targets.get()

    with pytest.raises(UserFacingError) as refused:
        deletion.delete_post(post, owner)

    assert str(refused.value) == (
        "“Claimed by the dispatcher” is being published to X: Demo Co right now; try again in "
        "a minute."
    )
    assert PostTarget.objects.get(pk=target.pk).state == S.QUEUED
    assert publisher.publish_one(target.pk) == "published"  # the task still does its work

    deletion.delete_post(post, owner)

    assert not Post.objects.filter(pk=post.pk).exists()
    x_posts = emulator.control("GET", "posts?platform=x")
    assert [p["text"] for p in x_posts] == ["Claimed by the dispatcher"]  # not asked to delete


@pytest.mark.django_db(transaction=True)
def test_a_post_a_worker_is_publishing_is_refused_until_it_is_done(
    accounts, owner, scheduled_post, emulator, celery_queue
):
    post = scheduled_post([accounts["x"]], "Publishing right now")
    publisher.dispatch_due()
    target = post.targets.get()
    emulator.fail_next("x", "x.tweets", "slow", delay=2)  # X takes its time to answer
    outcome: list[str] = []

    def work() -> None:
        try:
            outcome.append(publisher.publish_one(target.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 10
    while PostTarget.objects.get(pk=target.pk).state != S.PUBLISHING:
        assert time.monotonic() < deadline, "the worker never started publishing"
        time.sleep(0.02)

    with pytest.raises(UserFacingError, match="is being published to X: Demo Co right now"):
        deletion.delete_post(post, owner)
    worker.join()

    assert outcome == ["published"]
    assert PostTarget.objects.get(pk=target.pk).state == S.PUBLISHED
    deletion.delete_post(post, owner)
    assert not Post.objects.filter(pk=post.pk).exists()


def _waiting_on_a_lock(deadline: float) -> None:
    """Until another connection of this database waits for a row lock."""
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "nobody waited for the lock"
            time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_deletion_racing_the_dispatchers_claim_waits_for_it_and_refuses(
    workspace, owner, x_account, celery_queue
):
    post = make_post(workspace, owner.user, [x_account], when=timezone.now() + timedelta(hours=1))
    make_due(workflow.schedule(post, owner), timezone.now() - timedelta(seconds=1))
    claimed, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def dispatcher() -> None:
        # The real claim, with its transaction held open a moment (a slow commit).
        try:
            with transaction.atomic():
                outcome.append(publisher.dispatch_due())
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    def deleter() -> None:
        try:
            deletion.delete_post(post, owner)
            outcome.append("deleted")
        except UserFacingError as exc:
            outcome.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher), threading.Thread(target=deleter)]
    threads[0].start()
    assert claimed.wait(10)
    threads[1].start()  # sees the target still SCHEDULED, then waits on the claim's lock
    _waiting_on_a_lock(time.monotonic() + 10)
    release.set()
    for thread in threads:
        thread.join()

    assert outcome == [
        1,
        "“Spring menu” is being published to X: Acme on X right now; try again in a minute.",
    ]
    (target,) = PostTarget.objects.filter(post=post)
    assert target.state == S.QUEUED
    queued = [args[0] for name, args in celery_queue() if name.endswith("enqueue_publishes")]
    assert queued == [[target.pk]]  # the task it enqueued finds its target
