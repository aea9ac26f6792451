"""Scheduled items, "deleted after posting or expiration": the media copies made for
publishing, each account's place in the publishing queue, and scheduled posts that expired.
A published post, its link and the media library are content and stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from connections.models import ConnectedAccount
from publishing import composer, publisher, workflow
from publishing.models import Media, Post, PostComment, PostTarget, ReviewDecision
from publishing.payloads import settle
from publishing.states import move
from retention import engine, rules, scheduled

pytestmark = pytest.mark.django_db
S = PostTarget.State
WHEN = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
# An expired post is deleted this long after its scheduled time.
DELETED_AFTER = timedelta(days=rules.EXPIRY_GRACE_DAYS + rules.EXPIRED_KEEP_DAYS)


@pytest.fixture
def accounts_by_platform(workspace):
    return {
        platform: ConnectedAccount.objects.create(
            workspace=workspace,
            platform=platform,
            external_id=f"{platform}-1",
            display_name=f"Acme {platform}",
        )
        for platform in ("x", "facebook")
    }


@pytest.fixture
def photo(upload):
    return upload("image", name="latte.jpg")


@pytest.fixture
def schedule(workspace, owner, accounts_by_platform, photo):
    """schedule(when, *platforms) -> a post with the photo, scheduled through the workflow
    (which makes the publishing copy)."""

    def make(when: datetime, *platforms: str) -> Post:
        data = composer.PostInput(
            text="Latte art at nine",
            media_ids=[photo.pk],
            targets=[composer.TargetInput(accounts_by_platform[p].pk) for p in platforms],
            scheduled_at=when,
        )
        post, _ = composer.save(workspace, owner.user, data)
        return workflow.schedule(post, owner)

    return make


def _publish(target: PostTarget, post_id: str) -> None:
    """What the publisher does for one target, from the dispatcher's claim to its finish."""
    assert move(target.pk, S.QUEUED, only_from=[S.SCHEDULED], queued_at=WHEN)
    assert move(target.pk, S.PUBLISHING, only_from=[S.QUEUED], attempt_started_at=WHEN)
    PostTarget.objects.filter(pk=target.pk).update(attempts=1, checkpoint={"media_id": "m1"})
    assert move(
        target.pk,
        S.PUBLISHED,
        only_from=[S.PUBLISHING],
        platform_post_id=post_id,
        permalink=f"https://x.example/{post_id}",
        published_at=WHEN,
    )
    settle(target.post_id)


def _run(key: str, now: datetime, capture) -> int:
    with capture(execute=True):
        return engine.run(now, [key])[key]


def _copy(post: Post) -> str:
    return post.attachments.get().payload.name


# --- expired scheduled posts ---------------------------------------------------------------


def test_an_expired_post_is_deleted_30_days_after_it_expired(
    schedule, photo, owner, django_capture_on_commit_callbacks
):
    post = schedule(WHEN, "x", "facebook")
    PostComment.objects.create(post=post, author=owner.user, body="Looks good")
    ReviewDecision.objects.create(post=post, kind="approved", actor=owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert publisher.expire_missed(now=WHEN + timedelta(days=8)) == 2
    post.refresh_from_db()
    assert post.stage == Post.Stage.EXPIRED

    just_before = WHEN + DELETED_AFTER - timedelta(minutes=1)
    assert _run("scheduled-expired", just_before, django_capture_on_commit_callbacks) == 0
    assert Post.objects.filter(pk=post.pk).exists()

    removed = _run(
        "scheduled-expired",
        WHEN + DELETED_AFTER + timedelta(minutes=1),
        django_capture_on_commit_callbacks,
    )

    assert removed == 1
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not PostTarget.objects.filter(post_id=post.pk).exists()
    assert not PostComment.objects.filter(post_id=post.pk).exists()
    assert not ReviewDecision.objects.filter(post_id=post.pk).exists()
    # The media library keeps the original.
    assert Media.objects.filter(pk=photo.pk).exists()
    assert default_storage.exists(photo.file.name)


def test_a_copy_left_on_an_expired_post_goes_with_it(schedule, django_capture_on_commit_callbacks):
    post = schedule(WHEN, "x")
    copy = _copy(post)
    # Expired by an older version of the expiry job, which left the copy behind.
    post.targets.update(state=S.EXPIRED)
    Post.objects.filter(pk=post.pk).update(stage=Post.Stage.EXPIRED)

    assert (
        _run(
            "scheduled-expired",
            WHEN + DELETED_AFTER + timedelta(days=1),
            django_capture_on_commit_callbacks,
        )
        == 1
    )

    assert not default_storage.exists(copy)


def test_a_partly_published_post_keeps_its_published_history_and_loses_the_expired_accounts(
    schedule, accounts_by_platform, django_capture_on_commit_callbacks
):
    post = schedule(WHEN, "x", "facebook")
    on_x = post.targets.get(account=accounts_by_platform["x"])
    with django_capture_on_commit_callbacks(execute=True):
        _publish(on_x, "1790")
        assert publisher.expire_missed(now=WHEN + timedelta(days=8)) == 1
    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED

    assert (
        _run(
            "scheduled-expired",
            WHEN + DELETED_AFTER - timedelta(minutes=1),
            django_capture_on_commit_callbacks,
        )
        == 0
    )
    assert (
        _run(
            "scheduled-expired",
            WHEN + DELETED_AFTER + timedelta(days=400),
            django_capture_on_commit_callbacks,
        )
        == 1
    )

    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED
    assert post.text == "Latte art at nine"
    target = post.targets.get()
    assert (target.pk, target.state, target.platform_post_id, target.permalink) == (
        on_x.pk,
        S.PUBLISHED,
        "1790",
        "https://x.example/1790",
    )
    assert target.published_at == WHEN


def test_posts_that_did_not_expire_are_never_deleted_by_age(
    workspace, owner, schedule, accounts_by_platform, django_capture_on_commit_callbacks
):
    long_ago = WHEN - timedelta(days=1000)
    published = schedule(long_ago, "x")
    with django_capture_on_commit_callbacks(execute=True):
        _publish(published.targets.get(), "1")
    draft, _ = composer.save(
        workspace,
        owner.user,
        composer.PostInput(
            text="An old draft",
            media_ids=[],
            targets=[composer.TargetInput(accounts_by_platform["x"].pk)],
            scheduled_at=long_ago,
        ),
    )
    scheduled_later = schedule(WHEN + timedelta(days=2), "facebook")

    assert _run("scheduled-expired", WHEN, django_capture_on_commit_callbacks) == 0

    assert set(Post.objects.values_list("pk", flat=True)) == {
        published.pk,
        draft.pk,
        scheduled_later.pk,
    }
    assert PostTarget.objects.count() == 3


def test_expiry_constants_match_the_publisher():
    assert timedelta(days=rules.EXPIRY_GRACE_DAYS) == publisher.EXPIRY_GRACE


# --- the publishing queue -----------------------------------------------------------------


def test_a_published_targets_queue_data_is_cleared_and_its_history_kept(
    schedule, django_capture_on_commit_callbacks
):
    post = schedule(WHEN, "x")
    target = post.targets.get()
    with django_capture_on_commit_callbacks(execute=True):
        _publish(target, "1790")
    target.refresh_from_db()
    assert (target.due_at, target.queued_at, target.attempts) == (WHEN, WHEN, 1)

    assert _run("scheduled-queue", WHEN, django_capture_on_commit_callbacks) == 1

    target.refresh_from_db()
    assert (target.due_at, target.queued_at, target.attempt_started_at) == (None, None, None)
    assert (target.attempts, target.checkpoint, target.last_error) == (0, {}, "")
    assert (target.state, target.platform_post_id, target.published_at) == (
        S.PUBLISHED,
        "1790",
        WHEN,
    )
    post.refresh_from_db()
    assert post.scheduled_at == WHEN  # when the team planned it stays part of the post
    assert _run("scheduled-queue", WHEN, django_capture_on_commit_callbacks) == 0


def test_targets_still_on_the_schedule_keep_their_queue_data(
    schedule, django_capture_on_commit_callbacks
):
    post = schedule(WHEN, "x", "facebook")
    failed = post.targets.first()
    assert move(failed.pk, S.QUEUED, only_from=[S.SCHEDULED], queued_at=WHEN)
    assert move(failed.pk, S.PUBLISHING, only_from=[S.QUEUED])
    assert move(failed.pk, S.FAILED, only_from=[S.PUBLISHING], last_error="Rate limited")

    assert _run("scheduled-queue", WHEN, django_capture_on_commit_callbacks) == 0

    failed.refresh_from_db()
    assert (failed.queued_at, failed.last_error) == (WHEN, "Rate limited")


# --- the copies made for publishing ---------------------------------------------------------


def test_a_copy_left_by_unscheduling_during_a_publish_goes_once_nothing_can_use_it(
    schedule, photo, django_capture_on_commit_callbacks
):
    post = schedule(WHEN, "x")
    target = post.targets.get()
    copy = _copy(post)
    assert move(target.pk, S.QUEUED, only_from=[S.SCHEDULED])
    assert move(target.pk, S.PUBLISHING, only_from=[S.QUEUED])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unschedule(post)  # mid-publish: the copy must stay for now

    assert _run("scheduled-copies", WHEN, django_capture_on_commit_callbacks) == 0
    assert default_storage.exists(copy)

    with django_capture_on_commit_callbacks(execute=True):
        assert move(target.pk, S.PUBLISHED, only_from=[S.PUBLISHING], platform_post_id="9")
        settle(post.pk)  # the post left the schedule: settling leaves the copy alone
    assert _copy(post) == copy

    assert _run("scheduled-copies", WHEN, django_capture_on_commit_callbacks) == 1

    post.refresh_from_db()
    assert _copy(post) == ""
    assert post.payload_deleted_at is not None
    assert not default_storage.exists(copy)
    assert default_storage.exists(photo.file.name)


def test_copies_of_scheduled_posts_stay(schedule, django_capture_on_commit_callbacks):
    post = schedule(WHEN + timedelta(days=1), "x")
    failing = schedule(WHEN, "facebook")
    target = failing.targets.get()
    assert move(target.pk, S.QUEUED, only_from=[S.SCHEDULED])
    assert move(target.pk, S.PUBLISHING, only_from=[S.QUEUED])
    assert move(target.pk, S.NEEDS_ATTENTION, only_from=[S.PUBLISHING])

    assert _run("scheduled-copies", WHEN, django_capture_on_commit_callbacks) == 0

    assert default_storage.exists(_copy(post))
    assert default_storage.exists(_copy(failing))
    assert scheduled.count_spent_copies(WHEN) == 0


# --- the retention page -----------------------------------------------------------------


def test_the_privacy_policy_states_what_scheduled_items_are_and_when_they_go(client):
    from legal import documents
    from legal.models import DocumentVersion

    version = DocumentVersion.objects.create(
        kind="privacy-policy",
        title="Privacy policy",
        body="## Data retention\n\n[[retention-table]]",
        effective_date=WHEN.date(),
        last_updated=WHEN.date(),
    )
    documents.publish(version, by=None)

    page = client.get(reverse("legal_version", args=["privacy-policy", version.version]))

    html = page.content.decode()
    for key in ("scheduled-copies", "scheduled-queue", "scheduled-expired", "admin-log"):
        rule = next(r for r in rules.RULES if r.key == key)
        for cell in (rule.name, rule.period, rule.ends):
            assert cell.replace("'", "&#x27;") in html, cell
    assert "30 days after it expired (37 days after its scheduled time)" in html
    assert "not published within 7 days of its time" in html


def test_after_a_real_publish_only_the_published_post_remains(
    accounts, emulator, upload, scheduled_post, owner, client, django_capture_on_commit_callbacks
):
    """Through the publisher and the emulator: the copy goes when the post is out, the
    queue data at the next run; the post page still shows where it went."""
    post = scheduled_post([accounts["x"]], "Out on X", [upload("image")])
    copy = _copy(post)
    with django_capture_on_commit_callbacks(execute=True):
        publisher.dispatch_due()
        assert publisher.publish_one(post.targets.get().pk) == "published"
    target = post.targets.get()
    assert target.queued_at is not None
    assert target.attempts == 1
    assert not default_storage.exists(copy)

    with django_capture_on_commit_callbacks(execute=True):
        removed = engine.run(keys=["scheduled-copies", "scheduled-queue", "scheduled-expired"])

    assert removed == {"scheduled-copies": 0, "scheduled-queue": 1, "scheduled-expired": 0}
    target.refresh_from_db()
    assert (target.queued_at, target.attempts, target.state) == (None, 0, S.PUBLISHED)
    client.force_login(owner.user)
    page = client.get(reverse("post_detail", args=["acme", post.pk])).content.decode()
    assert target.permalink in page
