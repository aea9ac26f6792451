"""The local mode's customers: the emulator writes to a workspace's connected accounts (and
signs and delivers the webhooks), so the inbox can be tried end to end without real ones."""

from __future__ import annotations

import zlib
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse

from accounts.models import Workspace
from connections.errors import PlatformError
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for, networks, packages
from connections.services import start_events
from mixora.errors import UserFacingError
from publishing.models import PostTarget


def _control(path: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        response = requests.post(f"{settings.EMULATOR_URL}{path}", json=payload, timeout=(3, 30))
    except requests.RequestException:
        raise UserFacingError("The platform emulator is not answering; is `make run` up?") from None
    if not response.ok:
        raise UserFacingError(f"The emulator refused: {response.text[:200]}")
    return response.json()


def subscribe_webhooks(site_url: str) -> None:
    """Point the platforms' webhooks at this site (each runs its handshake against it)."""
    base = site_url.rstrip("/")
    try:
        for package in packages():
            for source in package.WEBHOOKS:
                source.register(base + reverse("webhook", args=[source.name]))
    except PlatformError as exc:
        raise UserFacingError(exc.message) from None
    except requests.RequestException:
        raise UserFacingError("The platform emulator is not answering; is `make run` up?") from None


def _post_id(account: ConnectedAccount) -> str:
    """A post customers can comment on: one Mixora published that the emulator holds (not,
    say, a Facebook video stored under its video id before defect 8, or a post of an earlier
    emulator run), else an older one."""
    try:
        response = requests.get(
            f"{settings.EMULATOR_URL}/_control/posts",
            params={"platform": account.platform, "account_id": account.external_id},
            timeout=(3, 30),
        )
        held = {str(post["id"]) for post in response.json()} if response.ok else set()
    except (requests.RequestException, ValueError, KeyError, TypeError):
        held = set()
    published = (
        PostTarget.objects.filter(account=account, platform_post_id__in=held)
        .order_by("-published_at")
        .values_list("platform_post_id", flat=True)
        .first()
    )
    if published:
        return published
    post = _control(
        "/_control/posts",
        {"network": account.platform, "account_id": account.external_id, "text": "New arrivals"},
    )
    return str(post["id"])


def send_customer_messages(workspace: Workspace, site_url: str) -> int:
    from .tasks import poll_account

    subscribe_webhooks(site_url)
    sent = 0
    scripted = [n.platform for n in networks() if n.demo_script]
    accounts = workspace.connected_accounts.filter(
        status=ConnectedAccount.Status.ACTIVE, platform__in=scripted
    )
    for account in accounts:
        network = network_for(account)
        if account.events is None:  # connected before Mixora subscribed accounts to events
            start_events(account)
        for kind, name, text in network.demo_script:
            payload = {
                "platform": network.demo_inbound,
                "kind": kind,
                "account_id": account.external_id,
                "from": {"id": str(10**14 + zlib.crc32(name.encode())), "name": name},
                "text": text,
            }
            if kind == "comment":
                payload["post_id"] = _post_id(account)
            _control("/_control/inbound", payload)
            sent += 1
        if network.polls_inbox:
            poll_account.delay(account.pk)
    if not sent:
        labels = ", ".join(n.label for n in networks() if n.demo_script)
        raise UserFacingError(f"Connect an account with an inbox first ({labels}).")
    return sent
