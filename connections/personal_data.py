"""Connected social accounts: exported for the person who connected them; a deleted person's
grants are revoked, and a closed workspace's accounts lose their platform data at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F
from django.dispatch import receiver

from accounts.models import User, Workspace
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    keeps,
    person_deleted,
    values,
    workspace_deleted,
)

from .models import ConnectedAccount
from .services import revoke_grants
from .signals import account_disconnecting


@export_section(90, models=("connections.ConnectedAccount",))
def connected_accounts(user: User, files: FileSink) -> Section:
    return Section(
        "connected_accounts.json",
        "Social accounts you connected to a workspace: platform, name, handle, when, the "
        "permissions granted and their health. The access keys the platforms gave us are "
        "not included: they are secrets that would let anyone post as the account.",
        {
            "accounts": values(
                ConnectedAccount.objects.filter(connected_by=user).order_by("pk"),
                "platform",
                "display_name",
                "handle",
                "connected_at",
                "scopes",
                "status",
                "status_reason",
                "last_success_at",
                platform_account_id=F("external_id"),
                workspace_name=F("workspace__name"),
            )
        },
    )


keeps(
    "connections.ConnectedAccount",
    ("connected_by", "display_name", "handle", "avatar_url", "details", "scopes"),
    reason="the workspace's social account (a Page, a channel), not the person: its grant is "
    "revoked at once when the person who connected it is deleted, and 'connected by' shows "
    "'Deleted user'",
    period="until the workspace disconnects the account or is deleted",
)


@receiver(person_deleted, dispatch_uid="connections.person_deleted")
def revoke_their_grants(sender: Any, user: User, **kwargs: Any) -> None:
    revoke_grants(
        ConnectedAccount.objects.filter(connected_by=user).exclude(access_token=""),
        "The person who connected it deleted their Mixora account: reconnect it.",
    )


@receiver(workspace_deleted, dispatch_uid="connections.workspace_deleted")
def revoke_workspace_grants(
    sender: Any, workspace: Workspace, now: datetime, **kwargs: Any
) -> None:
    accounts = list(workspace.connected_accounts.all())
    revoke_grants(accounts, "The workspace was deleted.")
    for account in accounts:
        # Disconnected platform data goes now, as when an account is disconnected.
        account_disconnecting.send(sender=ConnectedAccount, account=account)
