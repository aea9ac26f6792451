"""Accounts connected through the real OAuth flow against the emulator, for the collection tests
(the workspace, owner and client fixtures come from tests/publishing_fixtures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from connections.models import ConnectedAccount
from tests.connections.consent import callback_path, consent


def connect(
    client, owner, workspace, provider: str, *, drop_scopes: tuple[str, ...] = ()
) -> dict[str, ConnectedAccount]:
    """Connect every account the seeded user of `provider` reaches; by platform (the first
    of each)."""
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=[workspace.slug, provider]))
    back = client.get(callback_path(consent(start["Location"], drop_scopes=drop_scopes)))
    assert back.status_code == 302
    page = client.get(back["Location"])
    client.post(back["Location"], {"accounts": [o["key"] for o in page.context["options"]]})
    found: dict[str, ConnectedAccount] = {}
    for account in workspace.connected_accounts.order_by("external_id"):
        found.setdefault(account.platform, account)
    return found


def earlier_post(emulator, network: str, account_id: str, hours: float, **extra: str) -> str:
    """A post the emulator holds, published `hours` ago; its platform id."""
    created = datetime.now(UTC) - timedelta(hours=hours)
    body = {"network": network, "account_id": account_id, "created_time": created.isoformat()}
    return emulator.control("POST", "posts", {**body, "text": "Spring menu is here", **extra})["id"]


def plant(emulator, network: str, account_id: str, **model: object) -> None:
    emulator.control("POST", "engagement", {"network": network, "account_id": account_id, **model})
