"""LinkedIn: OAuth 2.0 (3-legged), the organisations the member administers, and the versioned
/rest API every other module calls through `rest()`.

https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling

The token calls are plain HTTP: LinkedIn's token endpoint takes the client secret in the form
and its errors (invalid_redirect_uri, 401 invalid_request) are not ones oauthlib knows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import requests

from ... import platforms
from ...errors import AuthExpired, Permanent, RateLimited
from ...models import ConnectedAccount
from ..base import BaseConnector, Grant, Profile, TokenSet, json_or_empty, unexpected
from . import endpoints, publish

# Post, comment and read as the organisation; list the organisations the member administers.
SCOPES = ["r_organization_social", "w_organization_social", "rw_organization_admin"]
ORG = "urn:li:organization:"
LABEL = "LinkedIn"


def _next_utc_midnight() -> datetime:
    # Daily limits reset at midnight UTC (shared/api-guide/concepts/rate-limits).
    tomorrow = datetime.now(tz=UTC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=UTC)


def classify(response: requests.Response) -> dict[str, Any]:
    """The body of a success, or the PlatformError LinkedIn's answer means (error-handling:
    {"status", "serviceErrorCode", "code"?, "message"})."""
    body = json_or_empty(response)
    if response.ok:
        return body
    status = response.status_code
    message = body.get("message") or body.get("error_description") or response.reason
    code = body.get("code") or body.get("error") or ""
    if status == 401:
        raise AuthExpired(
            f"LinkedIn no longer accepts this account's token ({code or message}).",
            platform="linkedin",
            status=status,
        )
    if status == 429:
        raise RateLimited(
            "Mixora reached LinkedIn's daily limit for this call.",
            retry_at=_next_utc_midnight(),
            platform="linkedin",
            status=status,
        )
    if status == 426:
        raise Permanent(
            f"LinkedIn no longer serves the API version Mixora uses ({message}).",
            platform="linkedin",
            status=status,
        )
    if status == 403:
        raise Permanent(
            "LinkedIn refused: the LinkedIn member is not an admin of this page, or did not "
            f"allow Mixora to do this ({message}).",
            platform="linkedin",
            status=status,
        )
    if status < 500:
        raise Permanent(f"LinkedIn refused: {message}", platform="linkedin", status=status)
    raise unexpected(LABEL, response)


def _oauth(response: requests.Response) -> dict[str, Any]:
    """The token endpoint: a refused code or refresh token is a dead grant."""
    body = json_or_empty(response)
    if response.ok:
        return body
    error = body.get("error", "")
    if error == "invalid_client":
        raise Permanent(
            "LinkedIn rejected Mixora's app credentials (check the client id and secret).",
            platform="linkedin",
            status=response.status_code,
        )
    if error in ("invalid_request", "invalid_redirect_uri") and response.status_code < 500:
        raise AuthExpired(
            f"LinkedIn no longer accepts this authorisation: {body.get('error_description')}",
            platform="linkedin",
            status=response.status_code,
        )
    return classify(response)


def _token_set(body: dict[str, Any]) -> TokenSet:
    scope = body.get("scope") or ""
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token", ""),
        expires_in=int(body["expires_in"]) if body.get("expires_in") else None,
        refresh_expires_in=(
            int(body["refresh_token_expires_in"]) if body.get("refresh_token_expires_in") else None
        ),
        # Granted scopes come back comma-separated (as introspection lists them); accept spaces.
        scopes=tuple(s for s in scope.replace(",", " ").split() if s),
    )


class LinkedInConnector(BaseConnector):
    platform = "linkedin"
    publishing = publish
    provider = platforms.Provider.LINKEDIN
    credential_env = ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")
    platform_label = LABEL
    # One member log-in reaches every organisation page they administer: they pick which.
    chooses_accounts = True
    accounts_noun = "organisation pages you administer"
    no_accounts_hint = "Ask an administrator of your organisation's page to give you that role."

    def authorization_url(self, redirect_uri: str, state: str, code_challenge: str) -> str:
        # LinkedIn's web flow has no PKCE (authorization-code-flow, step 2).
        client_id, _ = platforms.credentials(self.provider)
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": " ".join(SCOPES),
        }
        return f"{endpoints.authorize_url()}?{urlencode(query)}"

    def _token(self, form: dict[str, str]) -> TokenSet:
        client_id, secret = platforms.credentials(self.provider)
        body = self.call(
            "POST",
            endpoints.token_url(),
            classify=_oauth,
            data={**form, "client_id": client_id, "client_secret": secret},
        )
        return _token_set(body)

    def complete(self, code: str, redirect_uri: str, code_verifier: str) -> Grant:
        tokens = self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        member, org_ids = self._administered(tokens.access_token)
        tokens = TokenSet(**{**tokens.__dict__, "provider_user_id": member})
        profiles = tuple(self._organization(tokens.access_token, org_id) for org_id in org_ids)
        return Grant(tokens=tokens, profiles=profiles)

    def refresh(self, account: ConnectedAccount) -> TokenSet:
        if not account.refresh_token:
            # Programmatic refresh is for approved partners only; others sign in again
            # (programmatic-refresh-tokens).
            raise AuthExpired(
                "LinkedIn access lasts 60 days: reconnect the page to renew it.",
                platform=self.platform,
            )
        tokens = self._token(
            {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        )
        # The refresh token keeps counting down from its first issue; keep the one we have.
        if not tokens.refresh_token:
            tokens = TokenSet(**{**tokens.__dict__, "refresh_token": account.refresh_token})
        return tokens

    def revoke(self, account: ConnectedAccount) -> None:
        # No documented revoke endpoint: the member removes the app in their LinkedIn settings.
        raise Permanent(
            "LinkedIn lets members, not apps, revoke access: remove Mixora under LinkedIn "
            "Settings → Data privacy → Permitted services.",
            platform=self.platform,
        )

    def revoke_note(self, account: ConnectedAccount) -> str:
        return (
            "stop using its LinkedIn access (LinkedIn lets only the member revoke it, under "
            "Settings → Data privacy → Permitted services)"
        )

    def profile(self, account: ConnectedAccount) -> Profile:
        return self._organization(account.access_token, account.external_id)

    def rest(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        """One /rest call with the headers every call needs; the raw answer once classified
        (creates answer 201 with the new URN in x-restli-id and no body)."""
        headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": endpoints.api_version(),
            "X-Restli-Protocol-Version": "2.0.0",
            **kwargs.pop("headers", {}),
        }

        def checked(response: requests.Response) -> requests.Response:
            classify(response)
            return response

        return self.call(
            method, endpoints.rest_url() + path, classify=checked, headers=headers, **kwargs
        )

    def upload(self, url: str, token: str, data: bytes, content_type: str) -> None:
        """PUT an image's bytes to its upload URL, which takes the bearer token too
        (images-api: "different than the upload video call")."""
        self.call(
            "PUT",
            url,
            classify=classify,
            data=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        )

    def upload_part(self, url: str, data: bytes) -> str:
        """PUT one part of a video (no OAuth header: the URL is the credential, videos-api);
        its ETag, which finalizeUpload lists."""

        def etag(response: requests.Response) -> str:
            classify(response)
            if not response.headers.get("ETag"):
                raise unexpected(LABEL, response)
            return response.headers["ETag"]

        return self.call(
            "PUT",
            url,
            classify=etag,
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def rest_json(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        return json_or_empty(self.rest(method, path, token, **kwargs))

    def _administered(self, token: str) -> tuple[str, list[str]]:
        """(the member's id, the ids of the organisations they administer)."""
        body = self.rest_json(
            "GET",
            "/organizationAcls",
            token,
            params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
        )
        member, org_ids = "", []
        for acl in body.get("elements") or []:
            member = str(acl.get("roleAssignee") or member)
            organization = str(acl.get("organization") or "")
            if organization.startswith(ORG):
                org_ids.append(organization.removeprefix(ORG))
        return member, org_ids

    def _organization(self, token: str, org_id: str) -> Profile:
        org = self.rest_json("GET", f"/organizations/{org_id}", token)
        vanity = org.get("vanityName", "")
        return Profile(
            platform=platforms.Platform.LINKEDIN,
            external_id=str(org.get("id") or org_id),
            display_name=org.get("localizedName") or vanity or org_id,
            handle=vanity,
            details={"organization": f"{ORG}{org_id}"},
        )


def organization_urn(account: ConnectedAccount) -> str:
    return f"{ORG}{account.external_id}"
