"""Where the rest of Mixora finds a network: its connector (OAuth, publishing), its `Network`
(composer, inbox, account life) and its webhook endpoints.

A connector, per provider, answers:

    authorization_url(redirect_uri, state, code_challenge) -> str
    complete(code, redirect_uri, code_verifier) -> Grant
    refresh(account) -> TokenSet          (AuthExpired when it cannot)
    revoke(account) -> None
    profile(account) -> Profile
    publish(account, request, checkpoint) -> Published
    find_published(account, request, checkpoint, since) -> Published | None

The packages are imported on first use: they import the connection services, which import
this module."""

from __future__ import annotations

import importlib
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from . import PROVIDER_OF
from .base import Checkpoint, Grant, Profile, Published, PublishRequest, TokenSet
from .network import Network, WebhookSource

if TYPE_CHECKING:
    from ..models import ConnectedAccount

# One package per network; adding a network is adding its package here.
PACKAGES = ("meta", "x", "tiktok", "youtube", "linkedin")


class Connector(Protocol):
    platform: str
    provider: str
    platform_label: str

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


@cache
def packages() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"{__package__}.{name}") for name in PACKAGES)


@cache
def connector(provider: str) -> Connector:
    classes = {package.CONNECTOR.provider: package.CONNECTOR for package in packages()}
    return classes[provider]()


def connector_for(account: ConnectedAccount) -> Connector:
    return connector(PROVIDER_OF[account.platform])


@cache
def _networks() -> dict[str, Network]:
    return {network.platform: network for package in packages() for network in package.NETWORKS}


def network(platform: str) -> Network:
    return _networks()[platform]


def networks() -> list[Network]:
    return list(_networks().values())


def network_for(account: ConnectedAccount) -> Network:
    return network(account.platform)


@cache
def _webhooks() -> dict[str, WebhookSource]:
    return {source.name: source for package in packages() for source in package.WEBHOOKS}


def webhook_source(name: str) -> WebhookSource | None:
    return _webhooks().get(name)
