"""TikTok: Login Kit OAuth and the v2 API's user info and creator info (platform-apis.md §5.1,
§5.2, §5.6). Every API answer is the `{"data", "error": {"code", "message", "log_id"}}`
envelope."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from emulator import consent, control, engagement
from emulator.server import Abort, Request, Response, Route, Service, json_response
from emulator.state import STATE, Fault, Token, User

API = "/tiktok-api/v2"
ACCESS_TTL = 7200
REFRESH_TTL = 15_552_000
OAUTH_ENDPOINTS = ("tiktok.token", "tiktok.revoke")
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
DAY = 86_400
# A creator's posting settings, as creator_info/query reports them, plus the two things that
# stop posting: the daily cap and a ban. `POST /_control/tiktok/creator` changes them per user.
CREATOR_DEFAULTS: dict[str, object] = {
    # A public account's options; a private one offers FOLLOWER_OF_CREATOR instead of
    # PUBLIC_TO_EVERYONE
    # (developers.tiktok.com/doc/content-posting-api-reference-query-creator-info).
    "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
    "comment_disabled": False,
    "duet_disabled": False,
    "stitch_disabled": False,
    # Every creator may post 3 minutes, some 5 or 10; the API's ceiling is 10 minutes
    # (developers.tiktok.com/doc/content-posting-api-media-transfer-guide).
    "max_video_post_duration_sec": 600,
    # "typically around 15 posts per day/creator account" over a rolling 24 hours
    # (developers.tiktok.com/doc/content-sharing-guidelines).
    "daily_post_cap": 15,
    "banned_from_posting": False,
}
STATS_FIELDS = ("follower_count", "following_count", "likes_count", "video_count")
CREATOR_INFO_FIELDS = (
    "privacy_level_options",
    "comment_disabled",
    "duet_disabled",
    "stitch_disabled",
    "max_video_post_duration_sec",
)
_API_ERRORS = {
    "auth": (
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    ),
    "rate_limit": (429, "rate_limit_exceeded", "The API rate limit was exceeded. Try again later."),
    "validation": (400, "invalid_params", "One or more fields in the request are invalid."),
    "server": (500, "internal_error", "Something went wrong. Please try again later."),
}


def _log_id() -> str:
    stamp = datetime.fromtimestamp(STATE.now(), UTC).strftime("%Y%m%d%H%M%S")
    return stamp + secrets.token_hex(9).upper()


def envelope(data: dict, status: int = 200, code: str = "ok", message: str = "") -> Response:
    error = {"code": code, "message": message, "log_id": _log_id()}
    return json_response({"data": data, "error": error}, status)


def api_error(kind: str, message: str | None = None) -> Response:
    status, code, default = _API_ERRORS[kind]
    return envelope({}, status, code, message or default)


def _oauth_error(error: str, description: str, status: int = 400) -> Abort:
    body = {"error": error, "error_description": description, "log_id": _log_id()}
    return Abort(json_response(body, status))


def render_fault(req: Request, route: Route, fault: Fault) -> Response:
    if route.endpoint in OAUTH_ENDPOINTS and fault.kind in ("auth", "validation"):
        error = "invalid_grant" if fault.kind == "auth" else "invalid_request"
        return _oauth_error(error, "Injected by the emulator.").response
    return api_error(fault.kind)


service = Service("tiktok", render_fault)


@service.route("GET POST", r"/tiktok/v2/auth/authorize/?", "tiktok.authorize", faults=False)
def authorize(req: Request) -> Response:
    client_key, redirect_uri = req.param("client_key"), req.param("redirect_uri")
    challenge = req.param("code_challenge")
    method = req.param("code_challenge_method") or "S256"
    scopes = consent.requested_scopes(req, ",")
    invalid = None
    if req.param("response_type") != "code":
        invalid = "response_type must be code."
    elif not scopes:
        invalid = "scope is required."
    elif challenge and method != "S256":
        invalid = "code_challenge_method must be S256."

    def issue(user: User, granted: list[str], declined: list[str]) -> dict[str, str]:
        code = STATE.issue_code(
            "tiktok",
            client_id=client_key,
            redirect_uri=redirect_uri,
            user_id=user.id,
            scopes=granted,
            declined=declined,
            challenge=challenge,
            challenge_method=method if challenge else None,
        )
        return {"code": code.value, "scopes": ",".join(granted)}

    return consent.authorize(
        req,
        "tiktok",
        client_id=client_key,
        redirect_uri=redirect_uri,
        scopes=scopes,
        issue=issue,
        denied={"error": "access_denied", "error_description": "The user denied the request."},
        invalid=invalid,
    )


def _client(req: Request) -> str:
    client_key, secret = req.form.get("client_key"), req.form.get("client_secret")
    if not client_key or not secret:
        raise _oauth_error("invalid_request", "client_key and client_secret are required.")
    if not STATE.client_secret_ok("tiktok", client_key, secret):
        raise _oauth_error("invalid_client", "Client secret is invalid.", 401)
    return client_key


def _tokens(user_id: str, client_key: str, scopes: list[str], grant: int) -> dict:
    issued = {
        kind: STATE.issue_token(
            "tiktok",
            kind,
            user_id=user_id,
            client_id=client_key,
            scopes=scopes,
            grant=grant,
            ttl=ttl,
        )
        for kind, ttl in (("user", ACCESS_TTL), ("refresh", REFRESH_TTL))
    }
    return {
        "open_id": user_id,
        "scope": ",".join(scopes),
        "access_token": issued["user"].value,
        "expires_in": ACCESS_TTL,
        "refresh_token": issued["refresh"].value,
        "refresh_expires_in": REFRESH_TTL,
        "token_type": "Bearer",
    }


@service.route("POST", API + "/oauth/token/", "tiktok.token")
def token(req: Request) -> Response:
    client_key = _client(req)
    grant_type = req.form.get("grant_type")
    if grant_type == "authorization_code":
        return json_response(_exchange_code(req, client_key))
    if grant_type == "refresh_token":
        return json_response(_refresh(req, client_key))
    raise _oauth_error("unsupported_grant_type", "grant_type is missing or not supported.")


def _exchange_code(req: Request, client_key: str) -> dict:
    if not req.form.get("code") or not req.form.get("redirect_uri"):
        raise _oauth_error("invalid_request", "code and redirect_uri are required.")
    code = STATE.code("tiktok", req.form["code"])
    if code is None or code.used or code.client_id != client_key:
        raise _oauth_error("invalid_grant", "Authorization code is invalid.")
    if code.expires_at <= STATE.now():
        raise _oauth_error("invalid_grant", "Authorization code is expired.")
    if code.redirect_uri != req.form["redirect_uri"]:
        raise _oauth_error("invalid_grant", "Redirect URI does not match the authorization.")
    if code.challenge and not code.verifier_matches(req.form.get("code_verifier", "")):
        raise _oauth_error("invalid_grant", "Code verifier is invalid.")
    code.used = True
    return _tokens(code.user_id, client_key, code.scopes, STATE.new_grant())


def _refresh(req: Request, client_key: str) -> dict:
    old = STATE.token("tiktok", req.form.get("refresh_token"), refresh=True)
    if old is None or old.status(STATE.now()) != "ok" or old.client_id != client_key:
        raise _oauth_error("invalid_grant", "Refresh token is invalid or expired.")
    old.revoked = True  # refresh tokens rotate: the old one stops working
    return _tokens(old.user_id, client_key, old.scopes, old.grant)


@service.route("POST", API + "/oauth/revoke/", "tiktok.revoke")
def revoke(req: Request) -> Response:
    client_key = _client(req)
    found = STATE.tokens.get(req.form.get("token") or "")
    if found and found.platform == "tiktok" and found.client_id == client_key:
        # The app leaves the user's connected apps: all its tokens die.
        STATE.revoke("tiktok", found.user_id, client_key)
    return json_response({})


def authenticate(req: Request) -> Token:
    found = STATE.token("tiktok", req.bearer_token())
    if found is None or found.status(STATE.now()) != "ok":
        raise Abort(api_error("auth"))
    return found


def _user_json(req: Request, user: User) -> dict:
    avatar = req.avatar_url(user.handle)
    return {
        "open_id": user.id,
        "union_id": user.id.replace("open", "union"),
        "avatar_url": avatar,
        "avatar_url_100": avatar,
        "avatar_large_url": avatar,
        "display_name": user.name,
        "bio_description": "",
        "profile_deep_link": f"https://www.tiktok.com/@{user.handle}",
        "is_verified": False,
        "username": user.handle,
        "follower_count": engagement.followers_at("tiktok", user.id, STATE.now()),
        "following_count": 64,
        "likes_count": 9001,
        "video_count": 42,
    }


@service.route("GET", API + "/user/info/", "tiktok.user_info")
def user_info(req: Request) -> Response:
    found = authenticate(req)
    full = _user_json(req, STATE.user("tiktok", found.user_id))
    fields = [f.strip() for f in (req.query.get("fields") or "").split(",") if f.strip()]
    if not fields:
        return api_error("validation", "fields is required.")
    if unknown := [f for f in fields if f not in full]:
        return api_error("validation", f"Invalid fields: {','.join(unknown)}.")
    # The stats fields need user.info.stats: 400 scope_permission_missed "some fields need
    # additional scopes" (developers.tiktok.com/doc/tiktok-api-v2-get-user-info, the field
    # table; …/tiktok-api-v2-error-handling).
    if "user.info.stats" not in found.scopes and (stats := set(fields) & set(STATS_FIELDS)):
        message = f"The fields {','.join(sorted(stats))} need the scope user.info.stats."
        return envelope({}, 400, "scope_permission_missed", message)
    return envelope({"user": {name: full[name] for name in fields}})


def creator(user_id: str) -> dict:
    """The creator's current settings: the defaults, then what the control API changed."""
    return {**CREATOR_DEFAULTS, **STATE.table("tiktok_creator").get(user_id, {})}


def posting_refusal(user_id: str) -> tuple[str, str] | None:
    """(code, message) when the creator may not post now, else None."""
    settings = creator(user_id)
    # spam_risk_user_banned_from_posting (creator_info and direct-post error tables).
    if settings["banned_from_posting"]:
        return "spam_risk_user_banned_from_posting", "The user is banned from making new posts."
    # spam_risk_too_many_posts: the creator's Direct Posts in the rolling 24 hours reached the cap
    # (developers.tiktok.com/doc/content-sharing-guidelines; direct-post error table).
    since = STATE.now() - DAY
    recent = [p for p in STATE.posts_of("tiktok", user_id) if p.created_at > since]
    if len(recent) >= settings["daily_post_cap"]:
        return "spam_risk_too_many_posts", "The daily post cap from the API is reached."
    return None


@service.route("POST", API + "/post/publish/creator_info/query/", "tiktok.creator_info")
def creator_info(req: Request) -> Response:
    user = STATE.user("tiktok", authenticate(req).user_id)
    # "can't post now" comes as HTTP 200 "(intentional)" with the code in the envelope
    # (developers.tiktok.com/doc/content-posting-api-reference-query-creator-info).
    if refusal := posting_refusal(user.id):
        return envelope({}, 200, *refusal)
    settings = creator(user.id)
    return envelope(
        {
            "creator_avatar_url": req.avatar_url(user.handle),
            "creator_username": user.handle,
            "creator_nickname": user.name,
            **{name: settings[name] for name in CREATOR_INFO_FIELDS},
        }
    )


@control.service.route("POST", r"/_control/tiktok/creator")
def set_creator(req: Request) -> Response:
    """Change one TikTok user's creator settings (a private account, disabled interactions, a
    shorter maximum, a lower daily cap, a ban) until the next reset."""
    payload = req.json if isinstance(req.json, dict) else {}
    user_id = payload.get("user_id")
    if not isinstance(user_id, str) or STATE.user("tiktok", user_id) is None:
        return json_response({"error": "user_id must be a TikTok user the emulator holds"}, 400)
    changes = {name: value for name, value in payload.items() if name != "user_id"}
    if problem := _creator_problem(changes):
        return json_response({"error": problem}, 400)
    STATE.table("tiktok_creator").setdefault(user_id, {}).update(changes)
    return json_response(creator(user_id))


def _creator_problem(changes: dict) -> str | None:
    for name, value in changes.items():
        if name not in CREATOR_DEFAULTS:
            return f"{name} is not a creator setting: {', '.join(CREATOR_DEFAULTS)}"
        if name == "privacy_level_options":
            if not isinstance(value, list) or not value or set(value) - set(PRIVACY_LEVELS):
                return f"privacy_level_options must list some of {', '.join(PRIVACY_LEVELS)}"
        elif isinstance(CREATOR_DEFAULTS[name], bool):
            if not isinstance(value, bool):
                return f"{name} must be true or false"
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{name} must be an integer >= 0"
    return None
