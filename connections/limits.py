"""What a workspace's connected accounts count against its plan (mixora.limits.SOCIAL_ACCOUNTS).
The same count decides a new connection and shows on the billing page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import ConnectedAccount

if TYPE_CHECKING:
    from accounts.models import Workspace


def accounts_in_use(workspace: Workspace) -> int:
    """Connected accounts, healthy or not (a paused or needs-reconnect account still holds its
    place); only an account whose access was revoked no longer counts."""
    return (
        ConnectedAccount.objects.filter(workspace=workspace)
        .exclude(status=ConnectedAccount.Status.REVOKED)
        .count()
    )
