"""X (Twitter) API v2: OAuth 2.0 with PKCE, refresh, revoke, users/me.

https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.auth import HTTPBasicAuth

from ... import platforms
from ...errors import AuthExpired, Permanent, RateLimited
from ...models import ConnectedAccount
from ...throttle import Budget
from .. import oauth
from ..base import (
    BaseConnector,
    Grant,
    Profile,
    TokenSet,
    json_or_empty,
    unexpected,
)
from . import endpoints, publish

SCOPES = [
    "tweet.read",
    "tweet.write",
    "users.read",
    "media.write",
    "offline.access",
    # The inbox: direct messages (docs.x.com/x-api/direct-messages).
    "dm.read",
    "dm.write",
]
EXCHANGE_PATH = "/2/oauth2/token"  # docs.x.com/fundamentals/authentication/oauth-2-0
REVOKE_PATH = "/2/oauth2/revoke"
ME_PATH = "/2/users/me"
LABEL = "X"


def classify(response: requests.Response) -> dict[str, Any]:
    # Classify on status, headers and the problem type, never on body text (docs.x.com
    # response codes).
    body = json_or_empty(response)
    if response.ok:
        return body
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    legacy = str((errors[0] if errors else {}).get("message") or "")
    detail = body.get("detail") or body.get("title") or legacy
    if str(body.get("type", "")).endswith("/usage-capped"):
        # Also a 429, but the app's monthly cap: no retry helps before the period ends
        # (docs.x.com/x-api/fundamentals/response-codes-and-errors).
        raise Permanent(
            f"Mixora's X app reached its usage cap ({detail or 'usage capped'}).",
            platform="x",
            status=response.status_code,
        )
    if response.status_code == 401:
        raise AuthExpired("X no longer accepts this account's token.", platform="x", status=401)
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        retry_at = (
            datetime.fromtimestamp(int(reset), tz=UTC)
            if reset.isdigit()
            else datetime.now(tz=UTC) + timedelta(minutes=15)
        )
        raise RateLimited(
            "X is rate limiting this account.", retry_at=retry_at, platform="x", status=429
        )
    if response.status_code in (400, 403, 404):
        raise Permanent(
            f"X refused: {detail or response.reason}.", platform="x", status=response.status_code
        )
    raise unexpected(LABEL, response)


class XConnector(BaseConnector):
    platform = "x"
    publishing = publish
    provider = platforms.Provider.X
    credential_env = ("X_CLIENT_ID", "X_CLIENT_SECRET")
    platform_label = LABEL
    # POST /2/tweets: 100 per user per 15 minutes (docs.x.com/x-api/fundamentals/rate-limits).
    publish_budget = Budget(posts=100, seconds=900)

    def _client(self) -> tuple[str, str]:
        return platforms.credentials(self.provider)

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str:
        client_id, _ = self._client()
        session = oauth.session(client_id, redirect_uri=redirect_uri, scope=SCOPES, state=state)
        url, _ = session.authorization_url(
            endpoints.authorize_url(),
            code_challenge=code_challenge,
            code_challenge_method="S256",
        )
        return url

    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant:
        client_id, secret = self._client()
        session = oauth.session(client_id, redirect_uri=redirect_uri)
        token = oauth.call(
            self.platform,
            LABEL,
            lambda: session.fetch_token(
                endpoints.api_url() + EXCHANGE_PATH,
                code=code,
                code_verifier=code_verifier,
                auth=HTTPBasicAuth(client_id, secret),  # a confidential client
                include_client_id=False,
                timeout=self.timeout,
            ),
        )
        tokens = _token_set(token)
        return Grant(tokens=tokens, profiles=(self.profile_for(tokens.access_token),))

    def refresh(self, account: ConnectedAccount) -> TokenSet:
        client_id, secret = self._client()
        session = oauth.session(client_id)
        token = oauth.call(
            self.platform,
            LABEL,
            lambda: session.refresh_token(
                endpoints.api_url() + EXCHANGE_PATH,
                refresh_token=account.refresh_token,
                auth=HTTPBasicAuth(client_id, secret),
                timeout=self.timeout,
            ),
        )
        # X rotates refresh tokens: the one just used is dead, keep the new one.
        return _token_set(token)

    def revoke(self, account: ConnectedAccount) -> None:
        client_id, secret = self._client()
        for token, hint in (
            (account.access_token, "access_token"),
            (account.refresh_token, "refresh_token"),
        ):
            if token:
                self.call(
                    "POST",
                    endpoints.api_url() + REVOKE_PATH,
                    classify=classify,
                    data={"token": token, "token_type_hint": hint},
                    auth=HTTPBasicAuth(client_id, secret),
                )

    def profile(self, account: ConnectedAccount) -> Profile:
        return self.profile_for(account.access_token)

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(
            method,
            endpoints.api_url() + path,
            classify=classify,
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    def profile_for(self, access_token: str) -> Profile:
        body = self.call(
            "GET",
            endpoints.api_url() + ME_PATH,
            classify=classify,
            params={"user.fields": "id,name,username,profile_image_url,verified"},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        user = body.get("data") or {}
        return Profile(
            platform=self.platform,
            external_id=str(user["id"]),
            display_name=user.get("name") or user.get("username", ""),
            handle=f"@{user['username']}" if user.get("username") else "",
            avatar_url=user.get("profile_image_url", ""),
        )


def _token_set(token: dict[str, Any]) -> TokenSet:
    scope = token.get("scope") or []
    scopes = tuple(scope.split() if isinstance(scope, str) else scope)
    return TokenSet(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        expires_in=int(token["expires_in"]) if token.get("expires_in") else None,
        scopes=scopes,
    )
