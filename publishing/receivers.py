from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from connections.signals import account_reconnected

from .models import Post, PostTarget


@receiver(account_reconnected)
def release_held_targets(sender: Any, account: Any, **kwargs: Any) -> None:
    """Targets held because the account needed reconnecting go out now."""
    PostTarget.objects.filter(
        account=account,
        state=PostTarget.State.NEEDS_ATTENTION,
        post__stage=Post.Stage.SCHEDULED,
    ).update(state=PostTarget.State.SCHEDULED, due_at=timezone.now(), last_error="")
