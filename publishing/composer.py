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
    # This account's own media, replacing the shared set for it; None: the shared set.
    media_ids: list[int] | None = None


@dataclass
class PostInput:
    text: str
    media_ids: list[int]
    targets: list[TargetInput]
    scheduled_at: datetime | None  # aware, UTC


def media_facts(media: list[Media]) -> list[validation.MediaFacts]:
    return [validation.MediaFacts(m.kind, m.content_type, m.size, m.duration) for m in media]


def media_ids_for(data: PostInput, target: TargetInput) -> list[int]:
    """The media one account receives from the composer's input: its own, or the shared."""
    return data.media_ids if target.media_ids is None else target.media_ids


def _all_media_ids(data: PostInput) -> list[int]:
    return data.media_ids + [i for t in data.targets for i in t.media_ids or []]


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
        m.pk: m for m in Media.objects.filter(workspace=workspace, pk__in=_all_media_ids(data))
    }
    results = []
    for target in data.targets:
        account = accounts.get(target.account_id)
        if account is None:
            continue
        text = target.caption or data.text
        ids = media_ids_for(data, target)
        facts = media_facts([media_by_id[i] for i in ids if i in media_by_id])
        results.append(
            (account, validation.check_target(account.platform, text, facts, target.options))
        )
    return results


def _content_of(post: Post) -> tuple:
    return (
        post.text,
        sorted(post.attachments.values_list("account_id", "position", "media_id"), key=str),
        sorted(post.targets.values_list("account_id", "caption", "options", "own_media")),
        post.scheduled_at,
    )


def _replace_media(post: Post, account_id: int | None, wanted: list[int]) -> None:
    """Make one set (the shared one, or an account's own) exactly `wanted`, in order."""
    current = list(post.attachments.filter(account_id=account_id).order_by("position"))
    if [a.media_id for a in current] == wanted:
        return
    # Publishing copies of the old attachments go with them (privacy policy §6).
    for attachment in current:
        if attachment.payload:
            attachment.payload.delete(save=False)
    post.attachments.filter(account_id=account_id).delete()
    PostMedia.objects.bulk_create(
        PostMedia(post=post, account_id=account_id, media_id=media_id, position=i)
        for i, media_id in enumerate(wanted)
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
    chosen = set(_all_media_ids(data))
    if Media.objects.filter(workspace=workspace, pk__in=chosen).count() != len(chosen):
        raise UserFacingError("One of the chosen files is not in this workspace's library.")

    post.text = data.text
    post.scheduled_at = data.scheduled_at
    post.save()
    _replace_media(post, None, list(dict.fromkeys(data.media_ids)))
    wanted = {t.account_id: t for t in data.targets}
    post.targets.exclude(account_id__in=wanted).delete()
    existing = {t.account_id: t for t in post.targets.all()}
    for account_id, target in wanted.items():
        own_media = target.media_ids is not None
        row = existing.get(account_id)
        if row is None:
            PostTarget.objects.create(
                post=post,
                account_id=account_id,
                caption=target.caption,
                options=target.options,
                own_media=own_media,
            )
        else:  # only what the composer owns; the publisher's fields stay as they are
            row.caption, row.options, row.own_media = target.caption, target.options, own_media
            row.save(update_fields=["caption", "options", "own_media"])
        _replace_media(post, account_id, list(dict.fromkeys(target.media_ids or [])))
    # The own media of accounts no longer chosen go with them, copies too.
    for attachment in post.attachments.exclude(account_id=None).exclude(account_id__in=wanted):
        if attachment.payload:
            attachment.payload.delete(save=False)
        attachment.delete()
    changed = before is None or _content_of(post) != before
    return post, changed
