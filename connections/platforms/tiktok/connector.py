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

SCOPES = [
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",  # follower_count (analytics)
    "video.list",  # video/query: the published videos' counts (analytics)
    "video.publish",
    "video.upload",
]
LABEL = "TikTok"
RATE_WINDOW = timedelta(minutes=1)  # per-token limits count a one-minute sliding window
DAY_WINDOW = timedelta(hours=24)  # posting caps count a rolling 24 hours

# The error tables of developers.tiktok.com/doc/content-posting-api-reference-direct-post,
# -query-creator-info and -get-video-status, in words for the person who scheduled the post.
_AUTH = {
    "access_token_invalid": "TikTok no longer accepts this account's token.",
    "scope_not_authorized": "Reconnect TikTok and allow Mixora to post videos.",
    "scope_permission_missed": "Reconnect TikTok and allow every permission Mixora asks for.",
}
# Caps over a rolling 24 hours. TikTok gives no reset time, so wait the whole window: by
# then every post that counted against the cap has left it.
_DAILY_CAPS = {
    "spam_risk_too_many_posts": (
        "This TikTok account reached TikTok's daily limit of posts made through apps (shared "
        "by every app). Mixora will try again in 24 hours, or post it from the TikTok app."
    ),
    "spam_risk_too_many_pending_share": (
        "This TikTok account has too many drafts waiting in its inbox. Mixora will try again "
        "in 24 hours."
    ),
    "reached_active_user_cap": (
        "Mixora's TikTok app reached TikTok's daily number of posting accounts. Mixora will "
        "try again in 24 hours."
    ),
}
_REFUSED = {
    "spam_risk_user_banned_from_posting": "TikTok does not let this account post right now.",
    "unaudited_client_can_only_post_to_private_accounts": (
        "TikTok lets this app post only to private accounts until TikTok has audited it: make "
        "the TikTok account private, then retry the post."
    ),
    "privacy_level_option_mismatch": (
        "This TikTok account does not offer the chosen audience: choose who can watch again."
    ),
    "url_ownership_unverified": "TikTok has not verified the address Mixora's media comes from.",
    "app_version_check_failed": "The TikTok app on this account's phone needs updating.",
}


def classify(response: requests.Response) -> dict[str, Any]:
    """API calls: the `error.code` in the envelope decides, not the HTTP status (creator_info
    answers its "can't post now" codes with HTTP 200)."""
    body = json_or_empty(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code", "")
    if response.ok and code in ("", "ok"):
        return body
    status = response.status_code
    message = error.get("message") or code or response.reason
    if code in _AUTH:
        raise AuthExpired(_AUTH[code], platform="tiktok", status=status)
    if code in _DAILY_CAPS:
        retry_at = timezone.now() + DAY_WINDOW
        raise RateLimited(_DAILY_CAPS[code], retry_at=retry_at, platform="tiktok", status=status)
    if code == "rate_limit_exceeded" or status == 429:
        raise RateLimited(
            f"TikTok is rate limiting: {message}.",
            retry_at=timezone.now() + RATE_WINDOW,
            platform="tiktok",
            status=status,
        )
    if code in _REFUSED:
        raise Permanent(_REFUSED[code], platform="tiktok", status=status)
    if code == "internal_error" or status >= 500:
        raise Retryable(
            f"TikTok had a temporary problem: {message}.", platform="tiktok", status=status
        )
    if code:
        raise Permanent(f"TikTok refused: {message}.", platform="tiktok", status=status)
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
            if response.status_code in (200, 201, 206):
                return
            # The media transfer guide: 403 the upload_url expired (an hour after init), 404
            # no upload task, 416 the range is out of step, 5xx retry. The next attempt sees
            # the unfinished upload and starts a new one.
            if response.status_code in (403, 404, 416) or response.status_code >= 500:
                raise Retryable(
                    f"TikTok did not take the video (HTTP {response.status_code}); "
                    "Mixora will upload it again.",
                    platform="tiktok",
                    status=response.status_code,
                )
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
