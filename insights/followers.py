"""Each account's followers, read once a day."""

from __future__ import annotations

from datetime import date

from connections import services as connection_services
from connections.errors import AuthExpired, PlatformError
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for

from .models import FollowerCount


def record_followers(account: ConnectedAccount, day: date) -> int | None:
    """Read and store the account's follower count for `day`; None when it gave none."""
    network = network_for(account)
    try:
        count = connection_services.call_with_refresh(
            account, lambda: network.follower_count(account)
        )
    except AuthExpired as exc:
        connection_services.mark_needs_reconnect(account, exc.message)
        return None
    except PlatformError:
        return None  # tomorrow's reading fills the gap; a day missing is shown as such
    if count is None:
        return None
    FollowerCount.objects.update_or_create(
        account=account,
        day=day,
        defaults={"followers": count, "workspace_id": account.workspace_id},
    )
    return count


def record_all(day: date) -> int:
    """Read every healthy account's followers; how many were stored."""
    accounts = ConnectedAccount.objects.filter(status=ConnectedAccount.Status.ACTIVE)
    return sum(record_followers(account, day) is not None for account in accounts.iterator())
