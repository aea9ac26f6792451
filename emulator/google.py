"""Google OAuth (web-server flow) and the YouTube Data API's channels list (platform-apis.md
§6.1, §6.2, §6.6)."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from emulator import consent, youtube_metrics
from emulator.server import Abort, Request, Response, Route, Service, json_response
from emulator.state import STATE, Channel, Fault, Token, User

ACCESS_TTL = 3599
OAUTH_ENDPOINTS = ("google.token", "google.revoke")
CHANNEL_PARTS = ("id", "snippet", "statistics", "contentDetails")
CHANNEL_FILTERS = "forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam"
PACIFIC = ZoneInfo("America/Los_Angeles")
LIST_COST = 1  # every list method (developers.google.com/youtube/data/determine_quota_cost)
INSERT_COST = 50  # comments.insert, commentThreads.insert (same page)
_API_ERRORS = {
    "auth": (
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        "global",
        "authError",
        "UNAUTHENTICATED",
    ),
    "rate_limit": (
        403,
        "Rate Limit Exceeded",
        "usageLimits",
        "rateLimitExceeded",
        "PERMISSION_DENIED",
    ),
    "validation": (400, "Bad Request", "global", "badRequest", "INVALID_ARGUMENT"),
    "server": (503, "Backend Error", "global", "backendError", "UNAVAILABLE"),
}


def api_error(
    status: int, message: str, domain: str, reason: str, status_name: str = "INVALID_ARGUMENT"
) -> Response:
    item = {"message": message, "domain": domain, "reason": reason}
    body = {"error": {"code": status, "message": message, "errors": [item], "status": status_name}}
    return json_response(body, status)


def _oauth_error(error: str, description: str, status: int = 400) -> Abort:
    return Abort(json_response({"error": error, "error_description": description}, status))


def render_fault(req: Request, route: Route, fault: Fault) -> Response:
    if route.endpoint in OAUTH_ENDPOINTS and fault.kind in ("auth", "validation"):
        error = "invalid_grant" if fault.kind == "auth" else "invalid_request"
        return _oauth_error(error, "Injected by the emulator.").response
    return api_error(*_API_ERRORS[fault.kind])


service = Service("google", render_fault)


@service.route("GET POST", r"/google/o/oauth2/v2/auth", "google.authorize", faults=False)
def authorize(req: Request) -> Response:
    client_id, redirect_uri = req.param("client_id"), req.param("redirect_uri")
    challenge = req.param("code_challenge")
    method = req.param("code_challenge_method") or "plain"
    scopes = consent.requested_scopes(req, r"\s+")
    invalid = None
    if req.param("response_type") != "code":
        invalid = "response_type must be code."
    elif not scopes:
        invalid = "Missing required parameter: scope"
    elif challenge and method not in ("S256", "plain"):
        invalid = "code_challenge_method must be S256 or plain."

    def issue(user: User, granted: list[str], declined: list[str]) -> dict[str, str]:
        # Google returns a refresh token on the first offline consent, or on every one with
        # prompt=consent.
        offline = req.param("access_type") == "offline" and (
            "consent" in (req.param("prompt") or "").split()
            or not STATE.has_refresh_token("google", user.id, client_id)
        )
        code = STATE.issue_code(
            "google",
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            scopes=granted,
            declined=declined,
            challenge=challenge,
            challenge_method=method if challenge else None,
            offline=offline,
        )
        return {"code": code.value, "scope": " ".join(granted)}

    return consent.authorize(
        req,
        "google",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        issue=issue,
        denied={"error": "access_denied"},
        invalid=invalid,
    )


def _client(req: Request) -> str:
    client_id, secret = req.form.get("client_id"), req.form.get("client_secret")
    if not client_id:
        raise _oauth_error("invalid_request", "Missing required parameter: client_id")
    if not secret:
        raise _oauth_error("invalid_request", "client_secret is missing.")
    if not STATE.client_secret_ok("google", client_id, secret):
        raise _oauth_error("invalid_client", "Unauthorized", 401)
    return client_id


def _access(user_id: str, client_id: str, scopes: list[str], grant: int) -> dict:
    access = STATE.issue_token(
        "google",
        "user",
        user_id=user_id,
        client_id=client_id,
        scopes=scopes,
        grant=grant,
        ttl=ACCESS_TTL,
    )
    return {
        "access_token": access.value,
        "expires_in": ACCESS_TTL,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }


@service.route("POST", r"/google/token", "google.token")
def token(req: Request) -> Response:
    client_id = _client(req)
    grant_type = req.form.get("grant_type")
    if grant_type == "authorization_code":
        return json_response(_exchange_code(req, client_id))
    if grant_type == "refresh_token":
        return json_response(_refresh(req, client_id))
    raise _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type or ''}")


def _exchange_code(req: Request, client_id: str) -> dict:
    code = STATE.code("google", req.form.get("code"))
    if code is None:
        raise _oauth_error("invalid_grant", "Malformed auth code.")
    if code.used or code.expires_at <= STATE.now() or code.client_id != client_id:
        raise _oauth_error("invalid_grant", "Bad Request")
    if code.redirect_uri != req.form.get("redirect_uri"):
        raise _oauth_error("redirect_uri_mismatch", "Bad Request")
    if code.challenge:
        verifier = req.form.get("code_verifier")
        if not verifier:
            raise _oauth_error("invalid_grant", "Missing code verifier.")
        if not code.verifier_matches(verifier):
            raise _oauth_error("invalid_grant", "Invalid code verifier.")
    code.used = True
    grant = STATE.new_grant()
    body = _access(code.user_id, client_id, code.scopes, grant)
    if code.offline:
        refresh = STATE.issue_token(
            "google",
            "refresh",
            user_id=code.user_id,
            client_id=client_id,
            scopes=code.scopes,
            grant=grant,
            ttl=None,
        )
        body["refresh_token"] = refresh.value
    return body


def _refresh(req: Request, client_id: str) -> dict:
    refresh = STATE.token("google", req.form.get("refresh_token"), refresh=True)
    if refresh is None or refresh.status(STATE.now()) != "ok" or refresh.client_id != client_id:
        raise _oauth_error("invalid_grant", "Token has been expired or revoked.")
    # The refresh token stays the same and is not returned.
    return _access(refresh.user_id, client_id, refresh.scopes, refresh.grant)


@service.route("POST", r"/google/revoke", "google.revoke")
def revoke(req: Request) -> Response:
    found = STATE.tokens.get(req.param("token") or "")
    if found is None or found.platform != "google" or found.revoked:
        raise _oauth_error("invalid_token", "Token expired or revoked")
    # Revoking either token of a grant revokes the access and refresh tokens together.
    STATE.revoke_grant(found.grant)
    return json_response({})


def _unauthenticated(message: str, detail: str, reason: str) -> Response:
    item = {
        "message": detail,
        "domain": "global",
        "reason": reason,
        "location": "Authorization",
        "locationType": "header",
    }
    error = {"code": 401, "message": message, "errors": [item], "status": "UNAUTHENTICATED"}
    return json_response({"error": error}, 401)


def authenticate(req: Request) -> Token:
    value = req.bearer_token() or req.query.get("access_token")
    if not value:
        # No credentials: 401 reason "required" (observed body, tests/contracts/youtube/
        # error_missing_credentials_401.json).
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential."
        )
        raise Abort(_unauthenticated(message, "Login Required.", "required"))
    found = STATE.token("google", value)
    if found is None or found.status(STATE.now()) != "ok":
        # A bad or expired token: 401 authError (tests/contracts/youtube/error_authError_401.json).
        raise Abort(_unauthenticated(_API_ERRORS["auth"][1], "Invalid Credentials", "authError"))
    return found


def charge(token: Token, units: int) -> None:
    """Charge a Data API call to the token's project (its OAuth client), or refuse it."""
    # Quota is per project, resets at midnight Pacific Time, and every request costs, invalid
    # ones included (developers.google.com/youtube/data/determine_quota_cost).
    day = datetime.fromtimestamp(STATE.now(), PACIFIC).date().isoformat()
    usage = STATE.table("google_quota")
    used = usage.get((token.client_id, day), 0)
    if used + units > STATE.knob("google", "daily_quota"):
        # 403 quotaExceeded, domain youtube.quota (developers.google.com/youtube/v3/docs/errors;
        # body as observed: tests/contracts/youtube/error_quotaExceeded_403.json, no "status").
        message = (
            "The request cannot be completed because you have exceeded your "
            '<a href="/youtube/v3/getting-started#quota">quota</a>.'
        )
        item = {"message": message, "domain": "youtube.quota", "reason": "quotaExceeded"}
        error = {"code": 403, "message": message, "errors": [item]}
        raise Abort(json_response({"error": error}, 403))
    usage[(token.client_id, day)] = used + units


def _channel_json(req: Request, channel: Channel, parts: list[str]) -> dict:
    item: dict = {"kind": "youtube#channel", "etag": secrets.token_urlsafe(20), "id": channel.id}
    if "snippet" in parts:
        thumbnail = req.avatar_url(channel.custom_url.lstrip("@"))
        item["snippet"] = {
            "title": channel.title,
            "description": "",
            "customUrl": channel.custom_url,
            "publishedAt": "2020-01-01T00:00:00Z",
            "thumbnails": {
                size: {"url": thumbnail, "width": width, "height": width}
                for size, width in (("default", 88), ("medium", 240), ("high", 800))
            },
            "localized": {"title": channel.title, "description": ""},
        }
    if "statistics" in parts:
        item["statistics"] = youtube_metrics.channel_statistics(channel)
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": "UU" + channel.id[2:]}
        }
    return item


@service.route("GET", r"/youtube/v3/channels", "youtube.channels")
def channels(req: Request) -> Response:
    found = authenticate(req)
    charge(found, LIST_COST)
    parts = [p.strip() for p in (req.query.get("part") or "").split(",") if p.strip()]
    if not parts:
        return api_error(400, "Required parameter: part", "global", "required")
    if unknown := [p for p in parts if p not in CHANNEL_PARTS]:
        message = f"'{unknown[0]}'"
        return api_error(400, message, "youtube.part", "unknownPart")
    if req.query.get("mine") == "true":
        user = STATE.user("google", found.user_id)
        selected = [user.channel] if user.channel else []
    elif ids := req.query.get("id"):
        wanted = ids.split(",")
        everyone = STATE.users["google"].values()
        selected = [u.channel for u in everyone if u.channel and u.channel.id in wanted]
    else:
        message = f"No filter selected. Expected one of: {CHANNEL_FILTERS}"
        return api_error(400, message, "youtube.parameter", "missingRequiredParameter")
    return json_response(
        {
            "kind": "youtube#channelListResponse",
            "etag": secrets.token_urlsafe(20),
            "pageInfo": {"totalResults": len(selected), "resultsPerPage": 5},
            "items": [_channel_json(req, channel, parts) for channel in selected],
        }
    )
