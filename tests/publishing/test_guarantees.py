"""Regression tests for the publisher's guarantees: only approved posts go out, a sent-back
post stays home, an unknown outcome is never forgotten, and nothing is left in storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections import services as connection_services
from mixora.errors import UserFacingError
from publishing import publisher, workflow
from publishing.models import Post, PostTarget
from publishing.timezones import to_utc
from tests.factories import MembershipFactory

S = PostTarget.State


@pytest.fixture
def editor(workspace):
    return MembershipFactory(workspace=workspace, role=Role.EDITOR)


def due(target: PostTarget) -> None:
    PostTarget.objects.filter(pk=target.pk).update(due_at=timezone.now() - timedelta(seconds=1))


def test_an_editor_cannot_schedule_a_post_in_review_without_approval(
    client, workspace, editor, accounts, upload, scheduled_post
):
    workspace.approval_required = True
    workspace.save(update_fields=["approval_required"])
    post = Post.objects.create(
        workspace=workspace,
        author=editor.user,
        text="Needs review",
        stage=Post.Stage.IN_REVIEW,
        scheduled_at=timezone.now(),
    )
    PostTarget.objects.create(post=post, account=accounts["x"])
    client.force_login(editor.user)

    client.post(reverse("post_schedule", args=[workspace.slug, post.pk]))

    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW
    assert post.targets.get().state == S.DRAFT
    with pytest.raises(UserFacingError, match="requires approval"):
        workflow.schedule(post, editor)


def test_a_post_sent_back_for_changes_is_not_published(
    workspace, owner, accounts, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["x"]], "Scheduled, then questioned")
    with pytest.raises(UserFacingError, match="only drafts go to review"):
        workflow.submit(post, owner)
    Post.objects.filter(pk=post.pk).update(stage=Post.Stage.IN_REVIEW)
    post.refresh_from_db()
    workflow.reject(post, owner, "Not this week")

    assert publisher.dispatch_due() == 0
    assert post.targets.get().state == S.DRAFT


def test_the_dispatcher_ignores_targets_of_posts_off_the_schedule(
    workspace, accounts, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["x"]], "Off the schedule")
    Post.objects.filter(pk=post.pk).update(stage=Post.Stage.DRAFT)
    assert publisher.dispatch_due() == 0


def test_a_failed_reconciliation_keeps_the_outcome_unknown(
    emulator, accounts, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["x"]], "Was it sent?")
    target = post.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(outcome_unknown=True)
    emulator.fail_next("x", "x.user_tweets", "rate_limit", reset_after=60)
    publisher.dispatch_due()

    assert publisher.publish_one(target.pk) == "rate-limited"

    target.refresh_from_db()
    assert target.outcome_unknown is True
    assert emulator.control("GET", "posts?platform=x") == []


def test_a_post_whose_link_lookup_fails_is_not_published_again(
    emulator, accounts, upload, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["facebook"]], "Link lookup fails", [upload("image")])
    target = post.targets.get()
    emulator.fail_next("meta", "meta.post", "validation")  # the permalink read after posting
    publisher.dispatch_due()
    publisher.publish_one(target.pk)
    target.refresh_from_db()
    if target.state != S.PUBLISHED:  # however it ended, the next attempt finds the post
        due(target)
        publisher.dispatch_due()
        publisher.publish_one(target.pk)
        target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert len(emulator.control("GET", "posts?platform=meta")) == 1


def test_an_unknown_outcome_without_text_waits_for_a_person(
    emulator, owner, accounts, upload, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["facebook"]], "", [upload("image")])
    target = post.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(outcome_unknown=True)
    publisher.dispatch_due()

    assert publisher.publish_one(target.pk) == "held"
    target.refresh_from_db()
    assert target.state == S.NEEDS_ATTENTION
    assert "cannot tell" in target.last_error

    assert workflow.retry(target, owner.user) is True  # a person checked and asks to send
    publisher.dispatch_due()
    assert publisher.publish_one(target.pk) == "published"
    assert len(emulator.control("GET", "posts?platform=meta")) == 1


def test_two_refreshes_with_the_same_rotating_token_do_not_kill_the_account(accounts):
    account = accounts["x"]
    stale_copy = type(account).objects.get(pk=account.pk)

    assert connection_services.refresh(account) is True
    assert connection_services.refresh(stale_copy) is True  # adopts the newer tokens

    stale_copy.refresh_from_db()
    assert stale_copy.status == type(account).Status.ACTIVE
    assert stale_copy.refresh_token == account.refresh_token


def test_disconnecting_the_last_unpublished_account_settles_the_post_and_its_copies(
    rf, owner, accounts, upload, scheduled_post, django_capture_on_commit_callbacks, celery_queue
):
    post = scheduled_post([accounts["x"], accounts["facebook"]], "Half out", [upload("image")])
    copy = post.attachments.get().payload.name
    x_target = post.targets.get(account=accounts["x"])
    PostTarget.objects.filter(pk=x_target.pk).update(state=S.PUBLISHED, platform_post_id="1")
    PostTarget.objects.filter(account=accounts["facebook"]).update(state=S.FAILED)
    request = rf.post("/")
    request.user = owner.user

    with django_capture_on_commit_callbacks(execute=True):
        connection_services.disconnect(accounts["facebook"], request)

    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED
    assert not default_storage.exists(copy)


def test_a_requeued_target_is_recovered_by_when_it_was_queued_not_when_it_was_due(
    accounts, scheduled_post, celery_queue
):
    post = scheduled_post([accounts["x"]], "Late", when=timezone.now() - timedelta(hours=1))
    assert publisher.dispatch_due() == 1
    # Claimed just now, due an hour ago: the next dispatcher run must not take it back.
    assert publisher.recover_abandoned(timezone.now()) == 0
    assert post.targets.get().state == S.QUEUED


def test_a_subject_with_a_newline_is_sent_on_one_line(
    workspace, editor, accounts, owner, django_capture_on_commit_callbacks, mailoutbox
):
    post = Post.objects.create(
        workspace=workspace,
        author=editor.user,
        text="Big news!\nWe launch today",
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    PostTarget.objects.create(post=post, account=accounts["x"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(post, editor)
    assert mailoutbox
    assert all("\n" not in m.subject for m in mailoutbox)


def test_a_time_far_outside_the_calendar_is_refused_clearly():
    from datetime import datetime

    wall_clock = datetime.fromisoformat("9999-12-31T23:30")  # as the composer reads it
    with pytest.raises(UserFacingError, match="too far away"):
        to_utc(wall_clock, "America/New_York")
