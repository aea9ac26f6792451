"""Saving what the composer sends: a post, its media and one target per chosen account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import User, Workspace
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError

from . import validation
from .models import Media, Post, PostMedia, PostTarget
from .states import EDITABLE


@dataclass
class TargetInput:
    account_id: int
    caption: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class PostInput:
    text: str
    media_ids: list[int]
    targets: list[TargetInput]
    scheduled_at: datetime | None  # aware, UTC


def media_facts(media: list[Media]) -> list[validation.MediaFacts]:
    return [validation.MediaFacts(m.kind, m.content_type, m.size, m.duration) for m in media]


def check_post(
    workspace: Workspace, data: PostInput
) -> list[tuple[ConnectedAccount, validation.Check]]:
    """Each target's verdict for this content, in the order the accounts were chosen."""
    accounts = {
        a.pk: a
        for a in ConnectedAccount.objects.filter(
            workspace=workspace, pk__in=[t.account_id for t in data.targets]
        )
    }
    media_by_id = {
        m.pk: m for m in Media.objects.filter(workspace=workspace, pk__in=data.media_ids)
    }
    facts = media_facts([media_by_id[i] for i in data.media_ids if i in media_by_id])
    results = []
    for target in data.targets:
        account = accounts.get(target.account_id)
        if account is None:
            continue
        text = target.caption or data.text
        results.append(
            (account, validation.check_target(account.platform, text, facts, target.options))
        )
    return results


def _content_of(post: Post) -> tuple:
    return (
        post.text,
        list(post.attachments.values_list("media_id", flat=True)),
        sorted(post.targets.values_list("account_id", "caption", "options")),
        post.scheduled_at,
    )


@transaction.atomic
def save(
    workspace: Workspace, author: User, data: PostInput, post: Post | None = None
) -> tuple[Post, bool]:
    """Create or update a post from the composer. Returns (post, content_changed).

    Nothing of a published or publishing target is touched; accounts and media must belong
    to the workspace."""
    if post is not None:
        post = Post.objects.select_for_update().get(pk=post.pk, workspace=workspace)
        # Lock the targets: the dispatcher (SKIP LOCKED) then leaves them alone until we
        # commit, and their states are checked under the lock.
        locked = list(post.targets.select_for_update())
        if any(t.state not in EDITABLE for t in locked):
            raise UserFacingError(
                "This post is publishing or published and can no longer be edited."
            )
        before = _content_of(post)
    else:
        post = Post(workspace=workspace, author=author)
        before = None
    accounts = set(
        ConnectedAccount.objects.filter(
            workspace=workspace, pk__in=[t.account_id for t in data.targets]
        ).values_list("pk", flat=True)
    )
    if len(accounts) != len({t.account_id for t in data.targets}):
        raise UserFacingError("One of the chosen accounts is not connected to this workspace.")
    media = list(Media.objects.filter(workspace=workspace, pk__in=data.media_ids))
    if len(media) != len(set(data.media_ids)):
        raise UserFacingError("One of the chosen files is not in this workspace's library.")

    post.text = data.text
    post.scheduled_at = data.scheduled_at
    post.save()
    wanted_media = list(dict.fromkeys(data.media_ids))
    current = list(post.attachments.order_by("position"))
    if [a.media_id for a in current] != wanted_media:
        # Publishing copies of the old attachments go with them (privacy policy §6).
        for attachment in current:
            if attachment.payload:
                attachment.payload.delete(save=False)
        post.attachments.all().delete()
        PostMedia.objects.bulk_create(
            PostMedia(post=post, media_id=media_id, position=i)
            for i, media_id in enumerate(wanted_media)
        )
    wanted = {t.account_id: t for t in data.targets}
    post.targets.exclude(account_id__in=wanted).delete()
    existing = {t.account_id: t for t in post.targets.all()}
    for account_id, target in wanted.items():
        row = existing.get(account_id)
        if row is None:
            PostTarget.objects.create(
                post=post, account_id=account_id, caption=target.caption, options=target.options
            )
        else:  # only what the composer owns; the publisher's fields stay as they are
            row.caption, row.options = target.caption, target.options
            row.save(update_fields=["caption", "options"])
    changed = before is None or _content_of(post) != before
    return post, changed
