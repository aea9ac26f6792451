"""The browser side of connecting: start (remember state and PKCE verifier in the session),
then finish (check the state, exchange the code). Nothing is stored until both succeed."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from mixora.errors import UserFacingError

from . import crypto
from .platforms import Provider
from .platforms.base import Grant, Profile, TokenSet, pkce_pair
from .platforms.registry import connector

SESSION_KEY = "connections.oauth"
CHOICE_SESSION_KEY = "connections.pending_choice"
STATE_MAX_AGE = 15 * 60  # seconds a person may spend on the platform's consent screen
MAX_PENDING = 5


@dataclass(frozen=True)
class Started:
    workspace_slug: str
    provider: str
    code_verifier: str


def redirect_uri(provider: str) -> str:
    return settings.SITE_URL + reverse("connections_callback", args=[provider])


def start(request: HttpRequest, workspace_slug: str, provider: str) -> str:
    """The platform's authorize URL for this person; the state is remembered for 15 minutes."""
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    pending = {
        key: value
        for key, value in request.session.get(SESSION_KEY, {}).items()
        if time.time() - value["at"] < STATE_MAX_AGE
    }
    # Keep a few: someone may open two connect flows in two tabs.
    oldest_first = sorted(pending, key=lambda k: pending[k]["at"])
    for stale in oldest_first[: max(0, len(pending) - MAX_PENDING + 1)]:
        del pending[stale]
    pending[state] = {
        "workspace": workspace_slug,
        "provider": provider,
        "verifier": verifier,
        "at": time.time(),
    }
    request.session[SESSION_KEY] = pending
    return connector(provider).authorization_url(redirect_uri(provider), state, challenge)


def sign_in_origins() -> list[str]:
    """Where `start` sends the browser: the providers' consent pages (the Connections page's
    Content-Security-Policy lets its connect forms be redirected there)."""
    urls = (connector(provider).authorization_url("", "", "") for provider in Provider.values)
    return sorted({f"{part.scheme}://{part.netloc}" for part in map(urlsplit, urls)})


def take_state(request: HttpRequest, provider: str, state: str) -> Started:
    """The flow this callback belongs to, used once; a missing or foreign state is refused."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    if entry is None or entry["provider"] != provider or time.time() - entry["at"] >= STATE_MAX_AGE:
        raise UserFacingError(
            "This sign-in could not be verified (it expired or did not start here). "
            "Nothing was connected: please start again."
        )
    return Started(entry["workspace"], provider, entry["verifier"])


def finish(started: Started, code: str) -> Grant:
    return connector(started.provider).complete(
        code, redirect_uri(started.provider), started.code_verifier
    )


def stash_for_choice(request: HttpRequest, workspace_slug: str, grant: Grant) -> None:
    """Keep a grant (tokens encrypted) while the person picks which accounts to connect."""
    tokens = grant.tokens
    request.session[CHOICE_SESSION_KEY] = {
        "workspace": workspace_slug,
        "at": time.time(),
        "tokens": {
            "access_token": crypto.encrypt(tokens.access_token),
            # LinkedIn issues refresh tokens to some apps; Meta never does.
            "refresh_token": crypto.encrypt(tokens.refresh_token),
            "provider_user_token": crypto.encrypt(tokens.provider_user_token),
            "provider_user_id": tokens.provider_user_id,
            "expires_in": tokens.expires_in,
            "refresh_expires_in": tokens.refresh_expires_in,
            "scopes": list(tokens.scopes),
        },
        "profiles": [vars(p) for p in grant.profiles],
        "account_tokens": {k: crypto.encrypt(v) for k, v in grant.account_tokens.items()},
    }


def stashed_choice(request: HttpRequest, workspace_slug: str) -> Grant | None:
    data = request.session.get(CHOICE_SESSION_KEY)
    if not data or data["workspace"] != workspace_slug or time.time() - data["at"] > STATE_MAX_AGE:
        return None
    t = data["tokens"]
    tokens = TokenSet(
        access_token=crypto.decrypt(t["access_token"]),
        refresh_token=crypto.decrypt(t["refresh_token"]) if "refresh_token" in t else "",
        provider_user_token=crypto.decrypt(t["provider_user_token"]),
        provider_user_id=t["provider_user_id"],
        expires_in=t["expires_in"],
        refresh_expires_in=t.get("refresh_expires_in"),
        scopes=tuple(t["scopes"]),
    )
    return Grant(
        tokens=tokens,
        profiles=tuple(Profile(**p) for p in data["profiles"]),
        account_tokens={k: crypto.decrypt(v) for k, v in data["account_tokens"].items()},
    )


def drop_choice(request: HttpRequest) -> None:
    request.session.pop(CHOICE_SESSION_KEY, None)
