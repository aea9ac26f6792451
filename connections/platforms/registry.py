"""One connector per provider, behind one interface:

    authorization_url(redirect_uri, state, code_challenge) -> str
    complete(code, redirect_uri, code_verifier) -> Grant
    refresh(account) -> TokenSet          (AuthExpired when it cannot)
    revoke(account) -> None
    profile(account) -> Profile
    publish(account, request, checkpoint) -> Published
    find_published(account, request, checkpoint, since) -> Published | None

Metrics and messaging join this interface in later work."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Protocol

from ..models import ConnectedAccount
from . import PROVIDER_OF, Provider
from .base import Checkpoint, Grant, Profile, Published, PublishRequest, TokenSet
from .google import GoogleConnector
from .meta import MetaConnector
from .tiktok import TikTokConnector
from .x import XConnector


class Connector(Protocol):
    platform: str
    provider: str

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str: ...
    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant: ...
    def refresh(self, account: ConnectedAccount) -> TokenSet: ...
    def revoke(self, account: ConnectedAccount) -> None: ...
    def profile(self, account: ConnectedAccount) -> Profile: ...
    def publish(
        self, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
    ) -> Published: ...
    def find_published(
        self,
        account: ConnectedAccount,
        request: PublishRequest,
        checkpoint: dict,
        since: datetime,
    ) -> Published | None: ...


_CONNECTORS: dict[str, type] = {
    Provider.META: MetaConnector,
    Provider.X: XConnector,
    Provider.TIKTOK: TikTokConnector,
    Provider.GOOGLE: GoogleConnector,
}


@cache
def connector(provider: str) -> Connector:
    return _CONNECTORS[provider]()


def connector_for(account: ConnectedAccount) -> Connector:
    return connector(PROVIDER_OF[account.platform])
