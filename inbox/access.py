"""What each connected account can do in the inbox: its network decides, from the scopes the
account granted and (for some) the API plan this deployment pays for."""

from __future__ import annotations

from connections.models import ConnectedAccount
from connections.platforms.network import Feature
from connections.platforms.registry import network_for

__all__ = ["Feature", "feature_for", "features"]


def features(account: ConnectedAccount) -> list[Feature]:
    return network_for(account).inbox_features(account)


def feature_for(account: ConnectedAccount, kind: str) -> Feature | None:
    return next((f for f in features(account) if f.kind == kind), None)
