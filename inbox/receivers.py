from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from connections.signals import account_disconnecting

from .retention import delete_account_inbox


@receiver(account_disconnecting)
def delete_inbox_of_disconnected_account(sender: Any, account: Any, **kwargs: Any) -> None:
    """Disconnecting deletes the account's conversations, messages and attachments (privacy
    policy: platform content is kept until you disconnect the platform)."""
    delete_account_inbox(account.pk)
