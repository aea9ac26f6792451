"""X: OAuth 2.0 with PKCE, the app-only Bearer token and the v2 API's /users/me
(platform-apis.md §4.1, §4.2, §4.6; docs.x.com/fundamentals/authentication)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from emulator import consent, engagement
from emulator.server import Abort, Handler, Request, Response, Route, Service, json_response
from emulator.state import STATE, Fault, Token, User

API = "/x-api/2"
ACCESS_TTL = 7200
OAUTH_ENDPOINTS = ("x.token", "x.revoke")
# Per-user limits of the API endpoints, per 15-minute window (the OAuth endpoints publish none);
# docs.x.com/x-api/fundamentals/rate-limits (POST /2/tweets: 100/15min per user). Enforced.
RATE_LIMITS = {
    "x.users_me": 75,
    "x.tweets": 100,
    "x.delete_tweet": 50,
    "x.user_tweets": 900,
    "x.tweets_lookup": 5000,  # GET /2/tweets (x_metrics.py)
    "x.media_upload": 1875,
    "x.dm_send": 15,
}
RATE_WINDOW = 900
USER_FIELDS = (
    "id",
    "name",
    "username",
    "created_at",
    "description",
    "profile_image_url",
    "protected",
    "public_metrics",
    "verified",
    "verified_type",
)
_PROBLEMS = {
    400: ("Invalid Request", "https://api.x.com/2/problems/invalid-request"),
    401: ("Unauthorized", "about:blank"),
    403: ("Forbidden", "about:blank"),
    404: ("Not Found Error", "https://api.x.com/2/problems/resource-not-found"),
    429: ("Too Many Requests", "about:blank"),
    503: ("Service Unavailable", "about:blank"),
}


def problem_body(status: int, detail: str | None = None) -> dict:
    """An RFC 7807 problem, the v2 API's error shape."""
    title, kind = _PROBLEMS[status]
    return {"title": title, "detail": detail or title, "type": kind, "status": status}


def problem(status: int, detail: str | None = None, headers: dict | None = None) -> Response:
    return json_response(problem_body(status, detail), status, headers)


def bad_request(detail: str) -> Abort:
    return Abort(problem(400, detail))


def _oauth_error(error: str, description: str, status: int = 400) -> Abort:
    return Abort(json_response({"error": error, "error_description": description}, status))


def _rate_key(req: Request, endpoint: str) -> tuple:
    token = STATE.token("x", req.bearer_token())
    return ("x", endpoint, token.user_id if token else req.bearer_token())


def _rate_headers(limit: int | None, remaining: int, reset: float) -> dict[str, str]:
    headers = {
        "x-rate-limit-remaining": str(max(0, remaining)),
        "x-rate-limit-reset": str(int(reset)),
    }
    if limit is not None:
        headers["x-rate-limit-limit"] = str(limit)
    return headers


def add_rate_headers(req: Request, route: Route, response: Response) -> None:
    if limit := RATE_LIMITS.get(route.endpoint):
        calls, reset = STATE.hit_window(_rate_key(req, route.endpoint), RATE_WINDOW)
        for name, value in _rate_headers(limit, limit - calls, reset).items():
            response.headers.setdefault(name, value)


def enforce_rate_limit(req: Request, endpoint: str) -> None:
    """429 while the user's window for `endpoint` is used up, before anything happens: "Exceeding
    limits results in a 429 error until the window resets" (docs.x.com/x-api/fundamentals/
    rate-limits). Every answer, a refusal too, is counted by `add_rate_headers`."""
    limit = RATE_LIMITS.get(endpoint)
    if limit is None:
        return
    calls, reset = STATE.peek_window(_rate_key(req, endpoint), RATE_WINDOW)
    if calls >= limit:
        raise Abort(problem(429, headers=_rate_headers(limit, 0, reset)))


class XService(Service):
    """X's services: faults rendered as X does, usage headers on every answer, and the
    per-user limits of RATE_LIMITS enforced before a handler runs."""

    def __init__(self) -> None:
        super().__init__("x", render_fault, add_rate_headers)

    def route(
        self, methods: str, pattern: str, endpoint: str = "", *, faults: bool = True
    ) -> Callable[[Handler], Handler]:
        register = super().route(methods, pattern, endpoint, faults=faults)

        def limited(handler: Handler) -> Handler:
            def run(req: Request) -> Response:
                enforce_rate_limit(req, endpoint)
                return handler(req)

            register(run)
            return handler

        return limited


def render_fault(req: Request, route: Route, fault: Fault) -> Response:
    oauth = route.endpoint in OAUTH_ENDPOINTS
    if fault.kind == "rate_limit":
        limit = RATE_LIMITS.get(route.endpoint)
        return problem(429, headers=_rate_headers(limit, 0, STATE.now() + fault.reset_after))
    if fault.kind == "server":
        return problem(503)
    if oauth:  # the OAuth server's own errors are OAuth-shaped
        error = "invalid_grant" if fault.kind == "auth" else "invalid_request"
        return _oauth_error(error, "Injected by the emulator.").response
    return problem(401 if fault.kind == "auth" else 400)


service = XService()


@service.route("GET POST", r"/x/i/oauth2/authorize", "x.authorize", faults=False)
def authorize(req: Request) -> Response:
    client_id, redirect_uri = req.param("client_id"), req.param("redirect_uri")
    challenge = req.param("code_challenge")
    method = req.param("code_challenge_method") or "plain"
    scopes = consent.requested_scopes(req, r"\s+")
    invalid = None
    if req.param("response_type") != "code":
        invalid = "response_type must be code."
    elif not scopes:
        invalid = "scope is required."
    elif not req.param("state"):
        invalid = "state is required."
    elif not challenge or method not in ("S256", "plain"):
        invalid = "code_challenge is required, with code_challenge_method S256 or plain."

    def issue(user: User, granted: list[str], declined: list[str]) -> dict[str, str]:
        code = STATE.issue_code(
            "x",
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            scopes=granted,
            declined=declined,
            challenge=challenge,
            challenge_method=method,
        )
        return {"code": code.value}

    return consent.authorize(
        req,
        "x",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        issue=issue,
        denied={"error": "access_denied"},
        invalid=invalid,
    )


def _client(req: Request) -> str:
    """Confidential clients send Basic auth; public ones only their client_id."""
    if basic := req.basic_auth():
        client_id, secret = basic
        if not client_id or not STATE.client_secret_ok("x", client_id, secret):
            raise _oauth_error("invalid_client", "Invalid client credentials.", 401)
        return client_id
    if client_id := req.param("client_id"):
        return client_id
    raise _oauth_error("invalid_client", "Missing valid authorization header", 401)


def _tokens(user_id: str, client_id: str, scopes: list[str], grant: int) -> dict:
    access = STATE.issue_token(
        "x",
        "user",
        user_id=user_id,
        client_id=client_id,
        scopes=scopes,
        grant=grant,
        ttl=ACCESS_TTL,
    )
    body = {
        "token_type": "bearer",
        "expires_in": ACCESS_TTL,
        "access_token": access.value,
        "scope": " ".join(scopes),
    }
    if "offline.access" in scopes:
        refresh = STATE.issue_token(
            "x",
            "refresh",
            user_id=user_id,
            client_id=client_id,
            scopes=scopes,
            grant=grant,
            ttl=None,
        )
        body["refresh_token"] = refresh.value
    return body


@service.route("POST", API + "/oauth2/token", "x.token")
def token(req: Request) -> Response:
    client_id = _client(req)
    grant_type = req.form.get("grant_type")
    if grant_type == "authorization_code":
        return json_response(_exchange_code(req, client_id))
    if grant_type == "refresh_token":
        return json_response(_refresh(req, client_id))
    if not grant_type:
        raise _oauth_error("invalid_request", "Missing required parameter [grant_type].")
    raise _oauth_error("unsupported_grant_type", f"grant_type {grant_type} is not supported.")


def _exchange_code(req: Request, client_id: str) -> dict:
    for name in ("code", "redirect_uri", "code_verifier"):
        if not req.form.get(name):
            raise _oauth_error("invalid_request", f"Missing required parameter [{name}].")
    code = STATE.code("x", req.form["code"])
    if code is None or code.used or code.expires_at <= STATE.now() or code.client_id != client_id:
        raise _oauth_error("invalid_grant", "Value passed for the authorization code was invalid.")
    if code.redirect_uri != req.form["redirect_uri"]:
        raise _oauth_error(
            "invalid_grant", "redirect_uri does not match the authorization request."
        )
    if not code.verifier_matches(req.form["code_verifier"]):
        raise _oauth_error("invalid_grant", "code_verifier does not match the code_challenge.")
    code.used = True
    return _tokens(code.user_id, client_id, code.scopes, STATE.new_grant())


def _refresh(req: Request, client_id: str) -> dict:
    if not req.form.get("refresh_token"):
        raise _oauth_error("invalid_request", "Missing required parameter [refresh_token].")
    old = STATE.token("x", req.form["refresh_token"], refresh=True)
    if old is None or old.status(STATE.now()) != "ok" or old.client_id != client_id:
        raise _oauth_error("invalid_grant", "Value passed for the token was invalid.")
    old.revoked = True  # refresh tokens rotate: each one works once
    return _tokens(old.user_id, client_id, old.scopes, old.grant)


@service.route("POST", API + "/oauth2/revoke", "x.revoke")
def revoke(req: Request) -> Response:
    client_id = _client(req)
    if not req.form.get("token"):
        raise _oauth_error("invalid_request", "Missing required parameter [token].")
    found = STATE.tokens.get(req.form["token"])
    # RFC 7009: an unknown token is not an error.
    if found and found.platform == "x" and found.client_id == client_id:
        if found.kind == "refresh":  # revoking the refresh token ends the whole grant
            STATE.revoke_grant(found.grant)
        found.revoked = True
    return json_response({"revoked": True})


def authenticate(req: Request) -> Token:
    found = STATE.token("x", req.bearer_token())
    if found is None or found.status(STATE.now()) != "ok":
        raise Abort(problem(401))
    return found


def require_scopes(token: Token, *scopes: str) -> None:
    """403 when the token was granted without one of these scopes."""
    if missing := [scope for scope in scopes if scope not in token.scopes]:
        detail = f"The access token lacks the scope(s) {', '.join(missing)}."
        raise Abort(problem(403, detail))


def _user_json(req: Request, user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "username": user.handle,
        "created_at": "2020-01-01T00:00:00.000Z",
        "description": "",
        "profile_image_url": req.avatar_url(user.handle),
        "protected": False,
        "public_metrics": {
            # The engagement model's followers now (emulator/engagement.py).
            "followers_count": engagement.followers_at("x", user.id, STATE.now()),
            "following_count": 64,
            "tweet_count": 420,
            "listed_count": 3,
        },
        "verified": False,
        "verified_type": "none",
    }


def invalid_parameter(parameter: str, values: list[str], message: str) -> Response:
    """400 for a bad query parameter, with the `errors` list X adds to the problem."""
    body = {
        "errors": [{"parameters": {parameter: values}, "message": message}],
        **problem_body(400, "One or more parameters to your request was invalid."),
    }
    return json_response(body, 400)


def requested_fields(req: Request, parameter: str, allowed: tuple[str, ...]) -> list[str]:
    """The comma-separated `*.fields` values; an unknown one answers 400."""
    requested = [f for f in (req.query.get(parameter) or "").split(",") if f]
    if unknown := [f for f in requested if f not in allowed]:
        message = (
            f"The `{parameter}` query parameter value [{unknown[0]}] is not one of "
            f"[{','.join(allowed)}]"
        )
        raise Abort(invalid_parameter(parameter, unknown, message))
    return requested


@service.route("GET", API + "/users/me", "x.users_me")
def users_me(req: Request) -> Response:
    found = authenticate(req)
    requested = requested_fields(req, "user.fields", USER_FIELDS)
    user = STATE.user("x", found.user_id)
    full = _user_json(req, user)
    fields = ["id", "name", "username", *requested]
    return json_response({"data": {name: full[name] for name in fields}})


# --- app-only (Bearer) tokens ---------------------------------------------------------------


def _credentials_error() -> Abort:
    # docs.x.com/fundamentals/authentication/oauth-2-0/application-only: "Common error cases".
    error = {"code": 99, "label": "authenticity_token_error"}
    return Abort(
        json_response({"errors": [{**error, "message": "Unable to verify your credentials"}]}, 403)
    )


@service.route("POST", "/x-api/oauth2/token", "x.app_token")
def app_token(req: Request) -> Response:
    """The app-only Bearer token for Basic consumer key:secret and grant_type=client_credentials
    (docs.x.com/fundamentals/authentication/api-reference#post-oauth2-token)."""
    basic = req.basic_auth()
    if basic is None or not basic[0] or req.form.get("grant_type") != "client_credentials":
        raise _credentials_error()
    key, secret = basic
    if not STATE.client_secret_ok("x-app", key, secret):
        raise _credentials_error()
    apps = STATE.table("x_apps")
    # "Issuing another request with the same credentials … will return the same token" (same doc).
    found = next((value for value, app in apps.items() if app["key"] == key), None)
    if found is None:
        found = "AAAAAAAAAAAAAAAAAAAAA" + secrets.token_urlsafe(40)
        apps[found] = {"key": key, "secret": secret}
    return json_response({"token_type": "bearer", "access_token": found})


def authenticate_app(req: Request) -> dict:
    """The app of an app-only Bearer token ({"key", "secret"}); 401 otherwise."""
    app = STATE.table("x_apps").get(req.bearer_token() or "")
    if app is None:
        raise Abort(problem(401))
    return app
