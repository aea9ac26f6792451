from __future__ import annotations

from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from connections.signals import account_reconnected

from .models import Post, PostMedia, PostTarget
from .payloads import settle


@receiver(account_reconnected)
def release_held_targets(sender: Any, account: Any, **kwargs: Any) -> None:
    """Targets held because the account needed reconnecting go out now."""
    PostTarget.objects.filter(
        account=account,
        state=PostTarget.State.NEEDS_ATTENTION,
        post__stage=Post.Stage.SCHEDULED,
    ).update(state=PostTarget.State.SCHEDULED, due_at=timezone.now(), last_error="")


@receiver(post_delete, sender=PostTarget)
def settle_post_after_target_deleted(sender: Any, instance: PostTarget, **kwargs: Any) -> None:
    """A disconnected account takes its targets with it: the post may now be complete (or
    empty), and its publishing copies are then no longer needed."""
    transaction.on_commit(partial(settle, instance.post_id))


@receiver(pre_delete, sender=PostTarget)
def delete_own_media_copies(sender: Any, instance: PostTarget, **kwargs: Any) -> None:
    """The publishing copies of a target's own media go with it (a disconnected account takes
    its own PostMedia rows by cascade, so nothing else would find their files)."""
    names = [
        name
        for name in PostMedia.objects.filter(
            post_id=instance.post_id, account_id=instance.account_id
        ).values_list("payload", flat=True)
        if name
    ]
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))
