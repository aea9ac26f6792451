"""The media copies kept only for publishing (privacy policy §6: scheduled items are deleted
after posting or expiration), and settling a post's stage when its targets change."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Post, PostTarget

S = PostTarget.State


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
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.stage not in (Post.Stage.SCHEDULED, Post.Stage.IN_REVIEW):
            return
        states = set(post.targets.values_list("state", flat=True))
        if states & {S.SCHEDULED, S.QUEUED, S.PUBLISHING, S.FAILED, S.NEEDS_ATTENTION}:
            return
        if S.PUBLISHED in states:
            post.stage = Post.Stage.PUBLISHED
        elif S.EXPIRED in states:
            post.stage = Post.Stage.EXPIRED
        else:
            post.stage = Post.Stage.DRAFT
        post.save(update_fields=["stage", "updated_at"])
    delete_payload(post_id)
