"""publisher.expire_missed: a post that could not go out within EXPIRY_GRACE of its time
expires, and the copies of its media made for publishing are deleted (privacy policy §6).
Published targets, and posts still within the grace period, are left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage

from connections.models import ConnectedAccount
from publishing import composer, publisher, workflow
from publishing.models import Post, PostTarget

S = PostTarget.State
NOW = datetime(2030, 6, 20, 12, 0, tzinfo=UTC)
GRACE = publisher.EXPIRY_GRACE


@pytest.fixture
def accounts_by_platform(workspace):
    return {
        platform: ConnectedAccount.objects.create(
            workspace=workspace,
            platform=platform,
            external_id=f"{platform}-1",
            display_name=f"Acme {platform}",
        )
        for platform in ("x", "facebook", "instagram")
    }


@pytest.fixture
def photo(upload):
    return upload("image", name="latte.jpg")


@pytest.fixture
def scheduled_at(workspace, owner, accounts_by_platform, photo):
    """scheduled_at(when, *states) -> a scheduled post (with a payload copy of its photo)
    whose targets, one per account, are then put in the given states."""

    def make(when: datetime, *states: str) -> Post:
        chosen = list(accounts_by_platform.values())[: len(states)]
        data = composer.PostInput(
            text="Missed latte",
            media_ids=[photo.pk],
            targets=[composer.TargetInput(a.pk) for a in chosen],
            scheduled_at=when,
        )
        post, _ = composer.save(workspace, owner.user, data)
        workflow.schedule(post, owner)
        for account, state in zip(chosen, states, strict=True):
            fields = {"state": state}
            if state == S.PUBLISHED:
                fields |= {"platform_post_id": f"{account.platform}-post", "published_at": when}
            post.targets.filter(account=account).update(**fields)
        post.refresh_from_db()
        assert post.attachments.get().payload
        return post

    return make


def payload_name(post: Post) -> str:
    return post.attachments.get().payload.name


def states(post: Post) -> list[str]:
    return list(post.targets.order_by("account__platform").values_list("state", flat=True))


@pytest.mark.parametrize(
    "unfinished",
    [S.SCHEDULED, S.QUEUED, S.FAILED, S.NEEDS_ATTENTION],
)
def test_a_post_missed_by_more_than_the_grace_period_expires_and_its_copies_are_deleted(
    scheduled_at, photo, django_capture_on_commit_callbacks, unfinished
):
    post = scheduled_at(NOW - GRACE - timedelta(hours=1), unfinished)
    copy = payload_name(post)
    assert default_storage.exists(copy)

    with django_capture_on_commit_callbacks(execute=True):
        expired = publisher.expire_missed(now=NOW)

    assert expired == 1
    post.refresh_from_db()
    assert post.stage == Post.Stage.EXPIRED
    assert states(post) == [S.EXPIRED]
    assert not default_storage.exists(copy)
    assert post.attachments.get().payload.name == ""
    assert post.payload_deleted_at is not None
    # The library file and its thumbnail stay: only the publishing copy goes.
    assert default_storage.exists(photo.file.name)
    assert default_storage.exists(photo.thumbnail.name)


def test_every_unpublished_target_of_a_missed_post_expires(
    scheduled_at, django_capture_on_commit_callbacks
):
    post = scheduled_at(NOW - GRACE - timedelta(days=2), S.SCHEDULED, S.FAILED, S.NEEDS_ATTENTION)

    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=NOW) == 3

    post.refresh_from_db()
    assert post.stage == Post.Stage.EXPIRED
    assert states(post) == [S.EXPIRED, S.EXPIRED, S.EXPIRED]


@pytest.mark.parametrize(
    "age",
    [
        pytest.param(timedelta(hours=1), id="1h-ago"),
        pytest.param(GRACE - timedelta(minutes=1), id="grace-minus-1min"),
        pytest.param(GRACE, id="exactly-the-grace-period"),
    ],
)
def test_a_post_within_the_grace_period_is_untouched(
    scheduled_at, django_capture_on_commit_callbacks, age
):
    post = scheduled_at(NOW - age, S.FAILED, S.SCHEDULED)
    copy = payload_name(post)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert publisher.expire_missed(now=NOW) == 0

    assert callbacks == []
    post.refresh_from_db()
    assert post.stage == Post.Stage.SCHEDULED
    assert states(post) == [S.SCHEDULED, S.FAILED]  # facebook, x
    assert default_storage.exists(copy)
    assert payload_name(post) == copy
    assert post.payload_deleted_at is None


def test_one_second_past_the_grace_period_is_enough(
    scheduled_at, django_capture_on_commit_callbacks
):
    post = scheduled_at(NOW - GRACE - timedelta(seconds=1), S.SCHEDULED)

    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=NOW) == 1

    post.refresh_from_db()
    assert post.stage == Post.Stage.EXPIRED


def test_a_partly_published_post_counts_as_published_once_the_rest_expired(
    scheduled_at, accounts_by_platform, django_capture_on_commit_callbacks
):
    when = NOW - GRACE - timedelta(days=1)
    post = scheduled_at(when, S.PUBLISHED, S.FAILED, S.NEEDS_ATTENTION)  # x, facebook, instagram
    copy = payload_name(post)

    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=NOW) == 2

    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED  # out of the queue: nothing left to send
    by_platform = {t.account.platform: t for t in post.targets.select_related("account")}
    assert by_platform["facebook"].state == S.EXPIRED
    assert by_platform["instagram"].state == S.EXPIRED
    published = by_platform["x"]
    assert (published.state, published.platform_post_id, published.published_at) == (
        S.PUBLISHED,
        "x-post",
        when,
    )
    assert not default_storage.exists(copy)


def test_a_fully_published_post_is_never_touched(scheduled_at, django_capture_on_commit_callbacks):
    when = NOW - GRACE - timedelta(days=30)
    post = scheduled_at(when, S.PUBLISHED, S.PUBLISHED)
    Post.objects.filter(pk=post.pk).update(stage=Post.Stage.PUBLISHED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert publisher.expire_missed(now=NOW) == 0

    assert callbacks == []
    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED
    assert states(post) == [S.PUBLISHED, S.PUBLISHED]
    assert set(post.targets.values_list("platform_post_id", flat=True)) == {
        "x-post",
        "facebook-post",
    }


def test_a_draft_with_a_past_time_is_not_expired(
    workspace, owner, accounts_by_platform, django_capture_on_commit_callbacks
):
    data = composer.PostInput(
        text="Never scheduled",
        media_ids=[],
        targets=[composer.TargetInput(accounts_by_platform["x"].pk)],
        scheduled_at=NOW - GRACE - timedelta(days=3),
    )
    post, _ = composer.save(workspace, owner.user, data)

    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=NOW) == 0

    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT
    assert states(post) == [S.DRAFT]


def test_expiry_only_moves_the_posts_that_are_due_to_expire(
    scheduled_at, django_capture_on_commit_callbacks
):
    old = scheduled_at(NOW - GRACE - timedelta(days=1), S.FAILED)
    recent = scheduled_at(NOW - timedelta(days=1), S.FAILED)
    old_copy, recent_copy = payload_name(old), payload_name(recent)

    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=NOW) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.stage, states(old)) == (Post.Stage.EXPIRED, [S.EXPIRED])
    assert (recent.stage, states(recent)) == (Post.Stage.SCHEDULED, [S.FAILED])
    assert not default_storage.exists(old_copy)
    assert default_storage.exists(recent_copy)


def test_expiry_uses_the_current_time_by_default(scheduled_at, django_capture_on_commit_callbacks):
    post = scheduled_at(NOW, S.SCHEDULED)

    with time_machine.travel(NOW + GRACE - timedelta(minutes=5), tick=False):
        assert publisher.expire_missed() == 0
    with (
        time_machine.travel(NOW + GRACE + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert publisher.expire_missed() == 1

    post.refresh_from_db()
    assert post.stage == Post.Stage.EXPIRED


def test_running_expiry_twice_changes_nothing_more(
    scheduled_at, django_capture_on_commit_callbacks
):
    post = scheduled_at(NOW - GRACE - timedelta(days=1), S.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        publisher.expire_missed(now=NOW)
    post.refresh_from_db()
    deleted_at = post.payload_deleted_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert publisher.expire_missed(now=NOW + timedelta(days=1)) == 0

    assert callbacks == []
    post.refresh_from_db()
    assert post.payload_deleted_at == deleted_at
    assert states(post) == [S.EXPIRED]
