"""Scheduled items, "deleted after posting or expiration" (privacy policy, Data retention).

In Mixora a scheduled item is what exists only to carry out a schedule:
- the copies of a post's media made when it is scheduled (`PostMedia.payload`);
- each account's place in the publishing queue (the publisher's fields on `PostTarget`:
  due time, claim, attempts, the platform's upload checkpoint, last error);
- a scheduled post that never went out: it expires `EXPIRY_GRACE_DAYS` after its time
  (publishing's hourly `expire_missed`), and is deleted `EXPIRED_KEEP_DAYS` later.
A published post (its text, targets' platform ids, links and times) is the person's content
and stays until someone deletes it; so do the media library's originals.

Publishing deletes copies as soon as a post settles; the daily rules here catch whatever that
missed (a post unscheduled while one of its targets was being published keeps its copies
otherwise) and do the rest. Each function takes `now` and has a counting twin for dry runs
built on the same query."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from publishing.models import Post, PostMedia, PostTarget

from .rules import EXPIRED_KEEP_DAYS, EXPIRY_GRACE_DAYS

S = PostTarget.State
# A target in these states may still read the copies (now, or on a retry).
MAY_STILL_PUBLISH = (S.SCHEDULED, S.QUEUED, S.PUBLISHING, S.FAILED, S.NEEDS_ATTENTION)


def _delete_files_after_commit(names: list[str]) -> None:
    # Files go only once the rows no longer name them: a rollback leaves both.
    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def _batches(ids: QuerySet) -> list[list[int]]:
    """The ids (a values_list query), RETENTION_BATCH at a time: one short transaction each."""
    found = sorted(set(ids))
    size = settings.RETENTION_BATCH
    return [found[i : i + size] for i in range(0, len(found), size)]


# --- The copies made for publishing -----------------------------------------------------------


def _spent_copies() -> QuerySet[PostMedia]:
    """Copies no post needs any more: their post is not on the schedule and none of its
    targets may still be published."""
    return (
        PostMedia.objects.exclude(payload="")
        .exclude(post__stage=Post.Stage.SCHEDULED)
        .exclude(post__targets__state__in=MAY_STILL_PUBLISH)
    )


def count_spent_copies(now: datetime) -> int:
    # `now` does not matter: a copy is spent at once, whatever its age.
    return _spent_copies().count()


def delete_spent_copies(now: datetime) -> int:
    """Delete the spent copies (files and the rows' references); library files stay."""
    removed = 0
    for post_ids in _batches(_spent_copies().values_list("post_id", flat=True)):
        with transaction.atomic():
            # Lock the posts, then check again: one scheduled or approved meanwhile keeps them.
            list(Post.objects.select_for_update().filter(pk__in=post_ids).values_list("pk"))
            copies = list(
                _spent_copies().filter(post_id__in=post_ids).values_list("pk", "post_id", "payload")
            )
            PostMedia.objects.filter(pk__in=[pk for pk, _, _ in copies]).update(payload="")
            Post.objects.filter(pk__in={post_id for _, post_id, _ in copies}).update(
                payload_deleted_at=timezone.now()
            )
            _delete_files_after_commit([name for _, _, name in copies])
            removed += len(copies)
    return removed


# --- The publishing queue -----------------------------------------------------------------------

_QUEUE_CLEARED = {
    "due_at": None,
    "queued_at": None,
    "attempts": 0,
    "attempt_started_at": None,
    "checkpoint": {},
    "last_error": "",
}


def _posted_queue_entries() -> QuerySet[PostTarget]:
    """Published targets still holding the publisher's data (published is final: nothing
    else writes to these rows)."""
    return PostTarget.objects.filter(state=S.PUBLISHED).filter(
        Q(due_at__isnull=False)
        | Q(queued_at__isnull=False)
        | Q(attempts__gt=0)
        | Q(attempt_started_at__isnull=False)
        | ~Q(checkpoint={})
        | ~Q(last_error="")
    )


def count_posted_queue(now: datetime) -> int:
    return _posted_queue_entries().count()


def clear_posted_queue(now: datetime) -> int:
    cleared = 0
    for ids in _batches(_posted_queue_entries().values_list("pk", flat=True)):
        with transaction.atomic():
            cleared += _posted_queue_entries().filter(pk__in=ids).update(**_QUEUE_CLEARED)
    return cleared


# --- Expired scheduled posts ----------------------------------------------------------------


def expired_cutoff(now: datetime) -> datetime:
    """Posts scheduled before this expired at least EXPIRED_KEEP_DAYS ago (they expire
    EXPIRY_GRACE_DAYS after their time; an expired post cannot be edited or rescheduled,
    so its time is fixed)."""
    return now - timedelta(days=EXPIRY_GRACE_DAYS + EXPIRED_KEEP_DAYS)


def _expired_posts(now: datetime) -> QuerySet[Post]:
    return Post.objects.filter(stage=Post.Stage.EXPIRED, scheduled_at__lt=expired_cutoff(now))


def _expired_targets_of_published_posts(now: datetime) -> QuerySet[PostTarget]:
    """The accounts a post never reached while it went out on others: the published post
    and its published targets stay."""
    return PostTarget.objects.filter(
        state=S.EXPIRED,
        post__stage=Post.Stage.PUBLISHED,
        post__scheduled_at__lt=expired_cutoff(now),
    )


def count_expired(now: datetime) -> int:
    return _expired_posts(now).count() + _expired_targets_of_published_posts(now).count()


def delete_expired(now: datetime) -> int:
    """Delete expired posts (their targets, comments, review history and any copies left go
    with them) and the expired targets of published posts; how many posts and targets."""
    removed = 0
    for post_ids in _batches(_expired_posts(now).values_list("pk", flat=True)):
        with transaction.atomic():
            posts = _expired_posts(now).select_for_update().filter(pk__in=post_ids)
            ids = list(posts.values_list("pk", flat=True))
            names = list(
                PostMedia.objects.filter(post_id__in=ids)
                .exclude(payload="")
                .values_list("payload", flat=True)
            )
            Post.objects.filter(pk__in=ids).delete()
            _delete_files_after_commit(names)
            removed += len(ids)
    targets = _expired_targets_of_published_posts(now)
    for target_ids in _batches(targets.values_list("pk", flat=True)):
        with transaction.atomic():
            _, per_model = targets.filter(pk__in=target_ids).delete()
            removed += per_model.get(PostTarget._meta.label, 0)
    return removed
