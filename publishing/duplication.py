"""Duplicating a post: a new draft with the same content, to edit and schedule anew."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership
from accounts.roles import Capability
from mixora.errors import UserFacingError

from .models import Post, PostMedia, PostTarget


@transaction.atomic
def duplicate(post: Post, actor: Membership) -> Post:
    """A draft by `actor` with the post's text, accounts with their captions, options and
    media (shared and per account), and no time: whatever happened to the original (review,
    schedule, publishing) does not carry over."""
    if post.workspace_id != actor.workspace_id or not actor.can(Capability.COMPOSE):
        raise UserFacingError("Only people who can write posts may duplicate one.")
    copy = Post.objects.create(workspace=post.workspace, author=actor.user, text=post.text)
    PostTarget.objects.bulk_create(
        PostTarget(
            post=copy,
            account_id=t.account_id,
            caption=t.caption,
            options=t.options,
            own_media=t.own_media,
        )
        for t in post.targets.all()
    )
    # The library files themselves; the copies made for publishing belong to the original.
    PostMedia.objects.bulk_create(
        PostMedia(post=copy, account_id=a.account_id, media_id=a.media_id, position=a.position)
        for a in post.attachments.all()
    )
    return copy
