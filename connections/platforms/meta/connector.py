"""Meta: Facebook Login (manual flow), long-lived tokens, Pages and their Instagram accounts.

https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
https://developers.facebook.com/docs/graph-api/guides/error-handling

The token calls are plain HTTP rather than requests-oauthlib: Graph answers errors in its own
shape (`{"error": {"code": …}}`), which oauthlib cannot read, and has no refresh grant."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.utils import timezone

from ... import platforms
from ...errors import AuthExpired, Permanent, PlatformError, RateLimited, Retryable
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
from .errors import PUBLISHING_WINDOW, ContainerLost, PublishingLimit

SCOPES = [
    "pages_show_list",
    "business_management",
    "pages_manage_posts",
    "pages_read_engagement",
    "read_insights",
    "pages_manage_engagement",
    "pages_messaging",
    "pages_manage_metadata",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_insights",
    "instagram_manage_comments",
    "instagram_manage_messages",
]
PAGE_FIELDS = "id,name,username,access_token,picture.type(large),instagram_business_account"
LABEL = "Facebook"
NETWORK_PLATFORMS = (platforms.Platform.FACEBOOK, platforms.Platform.INSTAGRAM)

# Graph error codes by class (Graph API error-handling guide; see docs/platform-apis §1.3).
_RATE_LIMIT_CODES = {4, 17, 32, 341, 613, 80001, 80002, 80006}
_AUTH_CODES = {102, 190}
_TRANSIENT_CODES = {1, 2}


def _regain_at(response: requests.Response) -> datetime:
    """When Meta says access returns (Business Use Case header), else an hour from now."""
    header = response.headers.get("X-Business-Use-Case-Usage", "")
    minutes = 60
    try:
        usage = json.loads(header) if header else {}
        waits = [
            int(entry.get("estimated_time_to_regain_access", 0))
            for entries in usage.values()
            for entry in entries
        ]
        if waits and max(waits) > 0:
            minutes = max(waits)
    except (ValueError, AttributeError, TypeError):
        pass
    return timezone.now() + timedelta(minutes=minutes)


# Instagram publishing errors by subcode, which decides over the code (code 4 with 2207051 is a
# spam restriction, not throttling). developers.facebook.com/documentation/instagram-platform/
# instagram-graph-api/reference/error-codes
_IG_RETRY = {2207001, 2207003, 2207008, 2207027}  # server error, download timeout, not ready
_IG_NEW_CONTAINER = {2207006, 2207020, 2207032, 2207053}  # expired, not found, re-create
_IG_PUBLISHING_LIMIT = 2207042


def _instagram(subcode: object, message: str, status: int) -> PlatformError | None:
    """The class of an Instagram publishing error; None for the ordinary Graph rules. Every
    other 2207xxx subcode of the table (media, caption, account restrictions) is permanent."""
    if not isinstance(subcode, int) or not 2207000 <= subcode < 2208000:
        return None
    if subcode == _IG_PUBLISHING_LIMIT:
        return PublishingLimit(
            f"Instagram's daily publishing limit is reached: {message}",
            retry_at=timezone.now() + PUBLISHING_WINDOW,
            platform="meta",
            status=status,
        )
    if subcode in _IG_NEW_CONTAINER:
        return ContainerLost(f"Instagram lost the media: {message}", platform="meta", status=status)
    if subcode in _IG_RETRY:
        return Retryable(
            f"Instagram had a temporary problem: {message}", platform="meta", status=status
        )
    return Permanent(f"Instagram refused: {message}", platform="meta", status=status)


def classify(response: requests.Response) -> dict[str, Any]:
    body = json_or_empty(response)
    error = body.get("error")
    if response.ok and not error:
        return body
    if not isinstance(error, dict):
        raise unexpected(LABEL, response)
    code = error.get("code")
    message = error.get("error_user_msg") or error.get("message") or "unknown error"
    status = response.status_code
    if instagram := _instagram(error.get("error_subcode"), message, status):
        raise instagram
    if code in _RATE_LIMIT_CODES or code == 368:
        raise RateLimited(
            f"Facebook is throttling requests: {message}",
            retry_at=_regain_at(response),
            platform="meta",
            status=status,
        )
    if code in _AUTH_CODES:
        raise AuthExpired(
            f"Facebook no longer accepts this token: {message}", platform="meta", status=status
        )
    if code in _TRANSIENT_CODES or error.get("is_transient") or status >= 500:
        raise Retryable(
            f"Facebook had a temporary problem: {message}", platform="meta", status=status
        )
    raise Permanent(f"Facebook refused: {message}", platform="meta", status=status)


class MetaConnector(BaseConnector):
    platform = "meta"
    publishing = publish
    provider = platforms.Provider.META
    credential_env = ("META_APP_ID", "META_APP_SECRET")
    chooses_accounts = True
    accounts_noun = "Pages and the Instagram accounts linked to them"
    no_accounts_hint = "Create a Page or ask for a role on one."

    def shares_grant(self, account: ConnectedAccount) -> bool:
        # One Facebook log-in covers several Pages and Instagram accounts (in any workspace):
        # revoking it for one would cut off the others.
        if not account.provider_user_id:
            return False
        return (
            ConnectedAccount.objects.filter(
                platform__in=NETWORK_PLATFORMS, provider_user_id=account.provider_user_id
            )
            .exclude(pk=account.pk)
            .exists()
        )

    def revoke_note(self, account: ConnectedAccount) -> str:
        return (
            "revoke Mixora's access at Facebook, unless other connected Pages or Instagram "
            "accounts still use the same Facebook log-in (then it stays for them)"
        )

    platform_label = LABEL

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str:
        client_id, _ = platforms.credentials(self.provider)
        query = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": ",".join(SCOPES),
            "response_type": "code",
        }
        return f"{endpoints.dialog_url()}?{urlencode(query)}"

    def _graph(self, method: str, path: str, token: str, **params: Any) -> dict[str, Any]:
        # The token goes in a header, never in a URL that could end up in a log.
        return self.call(
            method,
            f"{endpoints.graph_url()}/{path}",
            classify=classify,
            params=params or None,
            headers={"Authorization": f"Bearer {token}"},
        )

    def graph_get(self, path: str, token: str, **params: Any) -> dict[str, Any]:
        return self._graph("GET", path, token, **params)

    def graph_delete(self, path: str, token: str) -> dict[str, Any]:
        return self._graph("DELETE", path, token)

    def graph_post(self, path: str, token: str, **form: Any) -> dict[str, Any]:
        return self.call(
            "POST",
            f"{endpoints.graph_url()}/{path}",
            classify=classify,
            data=form,
            headers={"Authorization": f"Bearer {token}"},
        )

    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant:
        client_id, secret = platforms.credentials(self.provider)
        token_url = f"{endpoints.graph_url()}/oauth/access_token"
        short = self.call(
            "GET",
            token_url,
            classify=classify,
            params={
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "client_secret": secret,
                "code": code,
            },
        )
        long = self.call(
            "GET",
            token_url,
            classify=classify,
            params={
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": secret,
                "fb_exchange_token": short["access_token"],
            },
        )
        user_token = long["access_token"]
        me = self._graph("GET", "me", user_token, fields="id,name")
        granted = self._graph("GET", "me/permissions", user_token).get("data", [])
        scopes = tuple(p["permission"] for p in granted if p.get("status") == "granted")
        tokens = TokenSet(
            access_token=user_token,
            expires_in=long.get("expires_in"),
            scopes=scopes,
            provider_user_token=user_token,
            provider_user_id=str(me["id"]),
        )
        profiles: list[Profile] = []
        account_tokens: dict[str, str] = {}
        for page in self._pages(user_token):
            page_token = page["access_token"]
            profiles.append(_page_profile(page))
            account_tokens[str(page["id"])] = page_token
            instagram = page.get("instagram_business_account")
            if instagram:
                ig = self._graph(
                    "GET",
                    str(instagram["id"]),
                    page_token,
                    fields="id,username,name,profile_picture_url",
                )
                profiles.append(_instagram_profile(ig, page_id=str(page["id"])))
                account_tokens[str(ig["id"])] = page_token
        return Grant(tokens=tokens, profiles=tuple(profiles), account_tokens=account_tokens)

    def _pages(self, user_token: str) -> list[dict[str, Any]]:
        """The Pages the person manages: their own (/me/accounts), then those they reach
        through a Business Manager, owned or a client's (Business Manager Pages are not on
        /me/accounts). A Page without a token for this person cannot be used and is left out."""
        pages = {str(p["id"]): p for p in self._listing("me/accounts", user_token, PAGE_FIELDS)}
        for business in self._businesses(user_token):
            for edge in ("owned_pages", "client_pages"):
                for page in self._listing(f"{business['id']}/{edge}", user_token, PAGE_FIELDS):
                    pages.setdefault(str(page["id"]), page)
        return [page for page in pages.values() if page.get("access_token")]

    def _businesses(self, user_token: str) -> list[dict[str, Any]]:
        """The person's Business Managers; none when business_management was not granted."""
        try:
            return self._listing("me/businesses", user_token, "id,name")
        except Permanent:  # (#200) Requires business_management permission
            return []

    def _listing(self, path: str, user_token: str, fields: str) -> list[dict[str, Any]]:
        """Every item of a Graph edge, following `paging.next`."""
        items: list[dict[str, Any]] = []
        url = f"{endpoints.graph_url()}/{path}"
        params: dict[str, Any] | None = {"fields": fields, "limit": 100}
        while url:
            body = self.call(
                "GET",
                url,
                classify=classify,
                params=params,
                headers={"Authorization": f"Bearer {user_token}"},
            )
            items.extend(body.get("data", []))
            url = (body.get("paging") or {}).get("next", "")
            params = None  # `next` already carries the query
        return items

    def refresh(self, account: ConnectedAccount) -> TokenSet:
        raise AuthExpired(
            "Facebook tokens cannot be refreshed: reconnect the account to renew access.",
            platform=self.platform,
        )

    def revoke(self, account: ConnectedAccount) -> None:
        if account.provider_user_token:
            self._graph("DELETE", "me/permissions", account.provider_user_token)

    def profile(self, account: ConnectedAccount) -> Profile:
        if account.platform == platforms.Platform.INSTAGRAM:
            ig = self._graph(
                "GET",
                account.external_id,
                account.access_token,
                fields="id,username,name,profile_picture_url",
            )
            return _instagram_profile(ig, page_id=account.details.get("page_id", ""))
        page = self._graph(
            "GET",
            account.external_id,
            account.access_token,
            fields="id,name,username,picture.type(large)",
        )
        return _page_profile(page)


def _page_profile(page: dict[str, Any]) -> Profile:
    username = page.get("username", "")
    return Profile(
        platform=platforms.Platform.FACEBOOK,
        external_id=str(page["id"]),
        display_name=page.get("name", ""),
        handle=f"@{username}" if username else "",
        avatar_url=((page.get("picture") or {}).get("data") or {}).get("url", ""),
        details={"page_id": str(page["id"])},
    )


def _instagram_profile(ig: dict[str, Any], *, page_id: str) -> Profile:
    username = ig.get("username", "")
    return Profile(
        platform=platforms.Platform.INSTAGRAM,
        external_id=str(ig["id"]),
        display_name=ig.get("name") or username,
        handle=f"@{username}" if username else "",
        avatar_url=ig.get("profile_picture_url", ""),
        details={"page_id": page_id},
    )
