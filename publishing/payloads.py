"""The media copies kept only for publishing (privacy policy §6: scheduled items are deleted
after posting or expiration), and settling a post's stage when its targets change."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from .models import Post, PostMedia, PostTarget

S = PostTarget.State
UNFINISHED = [S.SCHEDULED, S.QUEUED, S.PUBLISHING, S.FAILED, S.NEEDS_ATTENTION]


def delete_payload(post_id: int) -> int:
    """Delete a post's publishing copies; library files and thumbnails stay."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return 0
    deleted = 0
    for attachment in post.attachments.exclude(payload=""):
        default_storage.delete(attachment.payload.name)
        attachment.payload = ""
        attachment.save(update_fields=["payload"])
        deleted += 1
    Post.objects.filter(pk=post_id).update(payload_deleted_at=timezone.now())
    return deleted


def settle(post_id: int) -> None:
    """After targets finish, expire or disappear (a disconnected account): a post with
    nothing left to send is published (if anything went out) or back to draft, and its
    copies are deleted."""
    settle_many([post_id])


def settle_many(post_ids: list[int]) -> None:
    """settle() for each post, with one locking read and a write per outcome for all."""
    copies_left: list[int] = []
    with transaction.atomic():
        changes: dict[tuple[str, bool], list[int]] = {}
        for post_id, stage, unfinished, published, expired, copies in _lock_with_outcomes(post_ids):
            if stage not in (Post.Stage.SCHEDULED, Post.Stage.IN_REVIEW) or unfinished:
                continue
            if published:
                stage = Post.Stage.PUBLISHED
            elif expired:
                stage = Post.Stage.EXPIRED
            else:
                stage = Post.Stage.DRAFT
            changes.setdefault((stage, copies), []).append(post_id)
        now = timezone.now()
        for (stage, copies), ids in changes.items():
            fields = {"stage": stage, "updated_at": now}
            if copies:
                copies_left += ids
            else:  # nothing to delete: done with in the same write
                fields["payload_deleted_at"] = now
            Post.objects.filter(pk__in=ids).update(**fields)
    for post_id in copies_left:
        delete_payload(post_id)


def _lock_with_outcomes(post_ids: list[int]) -> list[tuple[int, str, bool, bool, bool, bool]]:
    """(post, stage, any target unfinished, any published, any expired, any publishing copy
    left) of each post, locked in id order (two batches never wait on each other in a
    circle): one statement, written out because the publisher runs it for every post and
    the ORM spent more CPU composing it than PostgreSQL running it."""
    if not post_ids:
        return []
    post, target, media = (m._meta.db_table for m in (Post, PostTarget, PostMedia))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    unfinished = ", ".join(["%s"] * len(UNFINISHED))
    posts = ", ".join(["%s"] * len(post_ids))
    sql = (
        f"SELECT p.id, p.stage,"  # noqa: S608 - table names from the models, values as parameters
        f" EXISTS (SELECT 1 FROM {target} t WHERE t.post_id = p.id AND t.state IN ({unfinished})),"
        f" EXISTS (SELECT 1 FROM {target} t WHERE t.post_id = p.id AND t.state = %s),"
        f" EXISTS (SELECT 1 FROM {target} t WHERE t.post_id = p.id AND t.state = %s),"
        f" EXISTS (SELECT 1 FROM {media} m WHERE m.post_id = p.id AND m.payload <> '')"
        f" FROM {post} p WHERE p.id IN ({posts}) ORDER BY p.id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*UNFINISHED, S.PUBLISHED, S.EXPIRED, *post_ids])
        rows = cursor.fetchall()
    return [(post_id, stage, *(bool(flag) for flag in flags)) for post_id, stage, *flags in rows]
