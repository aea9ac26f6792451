"""Google OAuth (web server flow, offline access) and the YouTube Data API's own channel.

https://developers.google.com/identity/protocols/oauth2/web-server
https://developers.google.com/youtube/v3/docs/errors"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import requests
from django.utils import timezone

from ... import platforms
from ...errors import AuthExpired, Permanent, RateLimited
from ...models import ConnectedAccount
from .. import oauth
from ..base import (
    BaseConnector,
    Grant,
    MediaItem,
    Profile,
    TokenSet,
    json_or_empty,
    unexpected,
)
from . import endpoints, publish, quota

SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/youtube.force-ssl",
]
LABEL = "YouTube"


def classify(response: requests.Response) -> dict[str, Any]:
    body = json_or_empty(response)
    if response.ok:
        return body
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
    # Google's messages hold HTML (<code>, <a href>): keep the words only.
    message = re.sub(r"<[^>]+>", "", error.get("message") or response.reason or "")
    status = response.status_code
    if status == 401:
        raise AuthExpired(
            "YouTube no longer accepts this account's token.", platform="google", status=status
        )
    if "quotaExceeded" in reasons:
        # The daily quota resets at midnight Pacific time (developers.google.com/youtube/v3/
        # determine_quota_cost).
        raise quota.QuotaExhausted(
            "Mixora's daily YouTube quota is used up.",
            retry_at=quota.next_pacific_midnight(),
            platform="google",
            status=status,
        )
    if reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
        raise RateLimited(
            "YouTube is rate limiting requests.",
            retry_at=timezone.now() + timedelta(minutes=1),
            platform="google",
            status=status,
        )
    if "uploadLimitExceeded" in reasons:
        raise RateLimited(
            "This channel reached YouTube's upload limit for today.",
            retry_at=timezone.now() + timedelta(hours=24),
            platform="google",
            status=status,
        )
    if status < 500:
        raise Permanent(f"YouTube refused: {message}", platform="google", status=status)
    raise unexpected(LABEL, response)


class GoogleConnector(BaseConnector):
    platform = "google"
    publishing = publish
    provider = platforms.Provider.GOOGLE
    credential_env = ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")
    platform_label = LABEL

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str:
        client_id, _ = platforms.credentials(self.provider)
        session = oauth.session(client_id, redirect_uri=redirect_uri, scope=SCOPES, state=state)
        url, _ = session.authorization_url(
            endpoints.authorize_url(),
            # offline + consent: the only way Google returns a refresh token every time.
            access_type="offline",
            prompt="consent",
            include_granted_scopes="true",
            code_challenge=code_challenge,
            code_challenge_method="S256",
        )
        return url

    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant:
        client_id, secret = platforms.credentials(self.provider)
        session = oauth.session(client_id, redirect_uri=redirect_uri)
        token = oauth.call(
            self.platform,
            LABEL,
            lambda: session.fetch_token(
                endpoints.token_url(),
                code=code,
                client_secret=secret,
                include_client_id=True,
                code_verifier=code_verifier,
                timeout=self.timeout,
            ),
        )
        tokens = _token_set(token)
        return Grant(tokens=tokens, profiles=(self.profile_for(tokens.access_token),))

    def refresh(self, account: ConnectedAccount) -> TokenSet:
        client_id, secret = platforms.credentials(self.provider)
        session = oauth.session(client_id)
        token = oauth.call(
            self.platform,
            LABEL,
            lambda: session.refresh_token(
                endpoints.token_url(),
                refresh_token=account.refresh_token,
                client_id=client_id,
                client_secret=secret,
                timeout=self.timeout,
            ),
        )
        # Google keeps the refresh token and usually does not send it again.
        tokens = _token_set(token)
        if not tokens.refresh_token:
            tokens = TokenSet(**{**tokens.__dict__, "refresh_token": account.refresh_token})
        return tokens

    def revoke(self, account: ConnectedAccount) -> None:
        # Revoking the refresh token ends the whole grant, access tokens included.
        token = account.refresh_token or account.access_token
        self.call(
            "POST",
            endpoints.revoke_url(),
            classify=classify,
            params={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def profile(self, account: ConnectedAccount) -> Profile:
        return self.profile_for(account.access_token)

    def api(
        self, method: str, path: str, token: str, *, polling: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        """A YouTube Data API call (`path` under /youtube/v3) with the account's token,
        charged to the daily quota first: a list costs 1 unit, an insert or delete 50."""
        quota.spend(quota.LIST if method == "GET" else quota.INSERT, polling=polling)
        url = endpoints.api_url() + path
        try:
            return self.call(
                method,
                url,
                classify=classify,
                headers={"Authorization": f"Bearer {token}"},
                **kwargs,
            )
        except quota.QuotaExhausted:
            quota.exhaust()  # Google's count wins over ours until midnight
            raise

    def start_upload(self, account: ConnectedAccount, resource: dict, video: MediaItem) -> str:
        """Open a resumable upload session; returns its URI."""

        def session_uri(response: requests.Response) -> str:
            classify(response)
            location = response.headers.get("Location", "")
            if not location:
                raise unexpected(LABEL, response)
            return location

        quota.spend_upload()  # videos.insert: its own daily bucket, not units
        return self.call(
            "POST",
            f"{endpoints.upload_url()}/videos",
            classify=session_uri,
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=resource,
            headers={
                "Authorization": f"Bearer {account.access_token}",
                "X-Upload-Content-Length": str(video.size),
                "X-Upload-Content-Type": video.content_type,
            },
        )

    def upload_chunk(
        self,
        session: str,
        token: str,
        data: bytes,
        first: int,
        last: int,
        total: int,
        content_type: str,
    ) -> tuple[bool, str]:
        """(True, video id) when the upload is complete, else (False, last byte received).
        Every PUT carries the token, as each request of the resumable guide does."""
        return self.call(
            "PUT",
            session,
            classify=_upload_answer,
            data=data,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Content-Range": f"bytes {first}-{last}/{total}",
            },
        )

    def upload_state(self, session: str, token: str, total: int) -> str:
        """Ask a session how far it got: "id:<video id>" when complete, else the next offset."""
        done, answer = self.call(
            "PUT",
            session,
            classify=_upload_answer,
            data=b"",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Range": f"bytes */{total}",
                "Content-Length": "0",
            },
        )
        return f"id:{answer}" if done else str(int(answer) + 1)

    def profile_for(self, access_token: str) -> Profile:
        body = self.api(
            "GET", "/channels", access_token, params={"part": "snippet,statistics", "mine": "true"}
        )
        items = body.get("items") or []
        if not items:
            raise Permanent(
                "This Google account has no YouTube channel. Create one on YouTube, then "
                "connect again.",
                platform=self.platform,
            )
        channel = items[0]
        snippet = channel.get("snippet") or {}
        return Profile(
            platform=platforms.Platform.YOUTUBE,
            external_id=str(channel["id"]),
            display_name=snippet.get("title", ""),
            handle=snippet.get("customUrl", ""),
            avatar_url=((snippet.get("thumbnails") or {}).get("default") or {}).get("url", ""),
        )


def _upload_answer(response: requests.Response) -> tuple[bool, str]:
    if response.status_code == 308:  # Resume Incomplete: Range says what arrived
        received = response.headers.get("Range", "")
        return False, received.rsplit("-", 1)[-1] if received else "-1"
    return True, str(classify(response)["id"])


def _token_set(token: dict[str, Any]) -> TokenSet:
    scope = token.get("scope") or []
    return TokenSet(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        expires_in=int(token["expires_in"]) if token.get("expires_in") else None,
        scopes=tuple(scope.split() if isinstance(scope, str) else scope),
    )
