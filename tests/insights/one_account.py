"""One account connected through the real OAuth flow against the emulator, for networks whose
consent connects the user itself (X, TikTok, Google/YouTube)."""

from __future__ import annotations

from django.urls import reverse

from connections.models import ConnectedAccount
from tests.connections.consent import callback_path, consent


def connect_one(
    client, owner, workspace, provider: str, platform: str, *, drop_scopes: tuple[str, ...] = ()
) -> ConnectedAccount:
    """Connect the seeded user of `provider`, declining `drop_scopes` on the consent page."""
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=[workspace.slug, provider]))
    back = client.get(callback_path(consent(start["Location"], drop_scopes=drop_scopes)))
    assert back.status_code == 302
    return workspace.connected_accounts.get(platform=platform)
