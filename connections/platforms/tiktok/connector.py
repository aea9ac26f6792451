"""TikTok: Login Kit OAuth v2 (rotating refresh tokens), user info, creator info.

https://developers.tiktok.com/doc/oauth-user-access-token-management
https://developers.tiktok.com/doc/tiktok-api-v2-error-handling

Plain HTTP rather than requests-oauthlib: TikTok names the client `client_key`, not
`client_id`, and wraps API errors in its own envelope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.utils import timezone

from ... import platforms
from ...errors import AuthExpired, Permanent, RateLimited, Retryable
from ...models import ConnectedAccount
from ..base import (
    BaseConnector,
    Grant,
    Profile,
    TokenSet,
    json_or_empty,
    unexpected,
)
from . import endpoints, publish

SCOPES = ["user.info.basic", "user.info.profile", "video.list", "video.publish", "video.upload"]
LABEL = "TikTok"
_RATE_LIMITED = {
    "rate_limit_exceeded",
    "spam_risk_too_many_posts",
    "spam_risk_too_many_pending_share",
    "reached_active_user_cap",
}


def classify(response: requests.Response) -> dict[str, Any]:
    """API calls: the `error.code` in the envelope decides, not only the HTTP status."""
    body = json_or_empty(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code", "")
    if response.ok and code in ("", "ok"):
        return body
    message = error.get("message") or code or response.reason
    if code == "access_token_invalid":
        raise AuthExpired(
            "TikTok no longer accepts this account's token.",
            platform="tiktok",
            status=response.status_code,
        )
    if code in _RATE_LIMITED or response.status_code == 429:
        # No reset header is documented: per-minute windows, so wait a minute.
        raise RateLimited(
            f"TikTok is rate limiting: {message}.",
            retry_at=timezone.now() + timedelta(minutes=1),
            platform="tiktok",
            status=response.status_code,
        )
    if code == "internal_error" or response.status_code >= 500:
        raise Retryable(
            f"TikTok had a temporary problem: {message}.",
            platform="tiktok",
            status=response.status_code,
        )
    if code:
        raise Permanent(
            f"TikTok refused: {message}.", platform="tiktok", status=response.status_code
        )
    raise unexpected(LABEL, response)


def classify_oauth(response: requests.Response) -> dict[str, Any]:
    """Token and revoke calls answer in OAuth's `{"error": "invalid_grant", …}` shape."""
    body = json_or_empty(response)
    error = body.get("error")
    if response.ok and not (isinstance(error, str) and error):
        return body
    if error == "invalid_grant":
        raise AuthExpired(
            "TikTok no longer accepts this authorisation: reconnect the account.",
            platform="tiktok",
            status=response.status_code,
        )
    if response.status_code == 429:
        raise RateLimited(
            "TikTok is throttling sign-ins.",
            retry_at=timezone.now() + timedelta(minutes=1),
            platform="tiktok",
        )
    if response.status_code >= 500:
        raise Retryable(
            "TikTok had a temporary problem.", platform="tiktok", status=response.status_code
        )
    description = body.get("error_description") or error or response.reason
    raise Permanent(
        f"TikTok refused the sign-in: {description}.",
        platform="tiktok",
        status=response.status_code,
    )


class TikTokConnector(BaseConnector):
    platform = "tiktok"
    publishing = publish
    provider = platforms.Provider.TIKTOK
    credential_env = ("TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET")
    platform_label = LABEL

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str:
        client_key, _ = platforms.credentials(self.provider)
        query = {
            "client_key": client_key,
            "scope": ",".join(SCOPES),
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{endpoints.authorize_url()}?{urlencode(query)}"

    def _token(self, **form: str) -> TokenSet:
        client_key, secret = platforms.credentials(self.provider)
        body = self.call(
            "POST",
            f"{endpoints.api_url()}/v2/oauth/token/",
            classify=classify_oauth,
            data={"client_key": client_key, "client_secret": secret, **form},
        )
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_in=body.get("expires_in"),
            refresh_expires_in=body.get("refresh_expires_in"),
            scopes=tuple(s for s in body.get("scope", "").split(",") if s),
        )

    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant:
        tokens = self._token(code=code, grant_type="authorization_code", redirect_uri=redirect_uri)
        return Grant(tokens=tokens, profiles=(self.profile_for(tokens.access_token),))

    def refresh(self, account: ConnectedAccount) -> TokenSet:
        # Rotating: the old refresh token stops working once this returns.
        return self._token(grant_type="refresh_token", refresh_token=account.refresh_token)

    def revoke(self, account: ConnectedAccount) -> None:
        client_key, secret = platforms.credentials(self.provider)
        self.call(
            "POST",
            f"{endpoints.api_url()}/v2/oauth/revoke/",
            classify=classify_oauth,
            data={"client_key": client_key, "client_secret": secret, "token": account.access_token},
        )

    def profile(self, account: ConnectedAccount) -> Profile:
        return self.profile_for(account.access_token)

    def profile_for(self, access_token: str) -> Profile:
        body = self.call(
            "GET",
            f"{endpoints.api_url()}/v2/user/info/",
            classify=classify,
            params={"fields": "open_id,union_id,avatar_url,display_name,username"},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        user = (body.get("data") or {}).get("user") or {}
        return Profile(
            platform=platforms.Platform.TIKTOK,
            external_id=str(user["open_id"]),
            display_name=user.get("display_name") or user.get("username", ""),
            handle=f"@{user['username']}" if user.get("username") else "",
            avatar_url=user.get("avatar_url", ""),
        )

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=UTF-8",
        }
        return self.call(
            method,
            f"{endpoints.api_url()}{path}",
            classify=classify,
            headers=headers,
            **kwargs,
        )

    def upload_chunk(
        self, url: str, data: bytes, first: int, total: int, content_type: str
    ) -> None:
        def accepted(response: requests.Response) -> None:
            if response.status_code not in (200, 201, 206):
                classify(response)
                raise unexpected(LABEL, response)

        self.call(
            "PUT",
            url,
            classify=accepted,
            data=data,
            headers={
                "Content-Type": content_type,
                "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
            },
        )

    def creator_info(self, account: ConnectedAccount) -> dict[str, Any]:
        """Mandatory before every direct post: privacy options and limits for this creator."""
        body = self.call(
            "POST",
            f"{endpoints.api_url()}/v2/post/publish/creator_info/query/",
            classify=classify,
            headers={
                "Authorization": f"Bearer {account.access_token}",
                "Content-Type": "application/json; charset=UTF-8",
            },
        )
        return body.get("data") or {}
