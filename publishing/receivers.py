from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from connections.signals import account_reconnected

from .models import Post, PostTarget
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
