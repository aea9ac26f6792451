"""LinkedIn: OAuth 2.0 (3-legged, authorization code), the rules every /rest call shares
(LinkedIn-Version, Rest.li protocol 2.0, token and scope checks, LinkedIn's error shape) and the
organisations a member administers (organizationAcls, organizations).

Docs: learn.microsoft.com/en-us/linkedin — shared/authentication/authorization-code-flow,
shared/api-guide/concepts/error-handling, marketing/versioning,
marketing/community-management/organizations/organization-access-control-by-role.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from emulator import consent
from emulator.server import Abort, Request, Response, Route, Service, json_response
from emulator.state import STATE, Fault, Page, Token, User

OAUTH = "/linkedin/oauth/v2"
REST = "/linkedin-api/rest"
# "all access tokens are issued with a 60-day lifespan" (authorization-code-flow).
ACCESS_TTL = 60 * 86_400
# Refresh tokens live 365 days, not reset by a refresh (programmatic-refresh-tokens).
REFRESH_TTL = 365 * 86_400
OAUTH_ENDPOINTS = ("linkedin.token",)
# Posting and reading as an organisation; the Comments API page (2026) lists the *_feed names.
WRITE_SCOPES = {"w_organization_social", "w_organization_social_feed"}
READ_SCOPES = {"r_organization_social", "r_organization_social_feed"}
ADMIN_SCOPES = {"rw_organization_admin", "r_organization_admin"}
ORG = "urn:li:organization:"
PERSON = "urn:li:person:"
# Versions are retired about a year after release (marketing/versioning).
VERSION_LIFETIME_MONTHS = 12
THROTTLED = "Resource level throttle limit for calls to this resource is reached."


def error(status: int, message: str, code: str | None = None, service: int | None = None) -> Abort:
    """LinkedIn's error body: status, serviceErrorCode?, code?, message (error-handling)."""
    body: dict = {"status": status}
    if service is not None:
        body["serviceErrorCode"] = service
    if code:
        body["code"] = code
    body["message"] = message
    return Abort(json_response(body, status))


def illegal(message: str) -> Abort:
    # OBSERVED shape: linkedin-api-python-client issue #47.
    return error(400, message, "ILLEGAL_ARGUMENT")


def denied(resource: str, version: str) -> Abort:
    # OBSERVED: 403 ACCESS_DENIED 100 "Not enough permissions to access: <res>.<METHOD>.<ver>".
    return error(
        403, f"Not enough permissions to access: {resource}.{version}", "ACCESS_DENIED", 100
    )


def _oauth_error(error_name: str, description: str, status: int = 400) -> Abort:
    # The doc gives a table only; the body is assumed RFC 6749-shaped.
    return Abort(json_response({"error": error_name, "error_description": description}, status))


def render_fault(req: Request, route: Route, fault: Fault) -> Response:
    if route.endpoint in OAUTH_ENDPOINTS and fault.kind in ("auth", "validation"):
        name = "invalid_request"
        return _oauth_error(
            name, "Injected by the emulator.", 401 if fault.kind == "auth" else 400
        ).response
    answers = {
        "rate_limit": (429, THROTTLED, None, None),
        "auth": (401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600),
        "validation": (400, "Injected by the emulator.", "ILLEGAL_ARGUMENT", None),
        "server": (500, "Internal Server Error", None, None),
    }
    return error(*answers[fault.kind]).response


service = Service("linkedin", render_fault)


# --- OAuth ---------------------------------------------------------------------------------


@service.route("GET POST", OAUTH + "/authorization", "linkedin.authorize", faults=False)
def authorize(req: Request) -> Response:
    client_id, redirect_uri = req.param("client_id"), req.param("redirect_uri")
    # scope is "URL-encoded, space-delimited" (authorization-code-flow, step 2).
    scopes = consent.requested_scopes(req, r"\s+")
    invalid = None
    if req.param("response_type") != "code":
        invalid = "response_type must be code."
    elif not scopes:
        invalid = "Invalid scope: scope is required."

    def issue(user: User, granted: list[str], declined: list[str]) -> dict[str, str]:
        code = STATE.issue_code(
            "linkedin",
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            scopes=granted,
            declined=declined,
        )
        return {"code": code.value}

    return consent.authorize(
        req,
        "linkedin",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        issue=issue,
        # Denial: error=user_cancelled_authorize with a description (authorization-code-flow).
        denied={
            "error": "user_cancelled_authorize",
            "error_description": "The user cancelled the authorization",
        },
        invalid=invalid,
    )


def _required(req: Request, *names: str) -> None:
    for name in names:
        if not req.form.get(name):
            # 400 invalid_request 'A required parameter "<name>" is missing' (doc error table).
            raise _oauth_error("invalid_request", f'A required parameter "{name}" is missing')


def _client(req: Request) -> str:
    client_id, secret = req.form["client_id"], req.form["client_secret"]
    if not STATE.client_secret_ok("linkedin", client_id, secret):
        raise _oauth_error("invalid_client", "Client authentication failed", 401)
    return client_id


def _tokens(user_id: str, client_id: str, scopes: list[str], grant: int) -> dict:
    access = STATE.issue_token(
        "linkedin",
        "user",
        user_id=user_id,
        client_id=client_id,
        scopes=scopes,
        grant=grant,
        ttl=ACCESS_TTL,
    )
    # Assumption: the granted scopes come back comma-separated, as introspection lists them.
    body: dict = {"access_token": access.value, "expires_in": ACCESS_TTL, "scope": ",".join(scopes)}
    # Refresh tokens only for apps approved for programmatic refresh (programmatic-refresh-tokens).
    if STATE.knob("linkedin", "refresh_tokens"):
        refresh = STATE.issue_token(
            "linkedin",
            "refresh",
            user_id=user_id,
            client_id=client_id,
            scopes=scopes,
            grant=grant,
            ttl=REFRESH_TTL,
        )
        body["refresh_token"] = refresh.value
        body["refresh_token_expires_in"] = REFRESH_TTL
    return body


@service.route("POST", OAUTH + "/accessToken", "linkedin.token")
def token(req: Request) -> Response:
    # "Content-Type: application/x-www-form-urlencoded" (authorization-code-flow, step 3).
    if "application/x-www-form-urlencoded" not in req.headers.get("content-type", ""):
        raise _oauth_error(
            "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
        )
    _required(req, "grant_type")
    grant_type = req.form["grant_type"]
    if grant_type == "authorization_code":
        _required(req, "code", "redirect_uri", "client_id", "client_secret")
        return json_response(_exchange(req, _client(req)))
    if grant_type == "refresh_token":
        _required(req, "refresh_token", "client_id", "client_secret")
        return json_response(_refresh(req, _client(req)))
    raise _oauth_error("unsupported_grant_type", f"grant_type {grant_type} is not supported")


def _exchange(req: Request, client_id: str) -> dict:
    code = STATE.code("linkedin", req.form["code"])
    # Codes are single use (authorization-code-flow): a used one is "not found".
    if code is None or code.used:
        message = "Unable to retrieve access token: authorization code not found"
        raise _oauth_error("invalid_request", message, 401)
    mismatch = code.client_id != client_id or code.redirect_uri != req.form["redirect_uri"]
    if mismatch or code.expires_at <= STATE.now():
        message = (
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
            "authorization code. Or authorization code expired."
        )
        raise _oauth_error("invalid_redirect_uri", message)
    code.used = True
    # "If you request a different scope than the previously granted scope, all the previous
    # access tokens are invalidated" (authorization-code-flow).
    for earlier in STATE.tokens.values():
        mine = (earlier.platform, earlier.user_id, earlier.client_id) == (
            "linkedin",
            code.user_id,
            client_id,
        )
        if mine and set(earlier.scopes) != set(code.scopes):
            earlier.revoked = True
    return _tokens(code.user_id, client_id, code.scopes, STATE.new_grant())


def _refresh(req: Request, client_id: str) -> dict:
    old = STATE.token("linkedin", req.form["refresh_token"], refresh=True)
    usable = old is not None and old.status(STATE.now()) == "ok" and old.client_id == client_id
    if not usable or not STATE.knob("linkedin", "refresh_tokens"):
        message = "The provided authorization grant or refresh token is invalid, expired or revoked"
        raise _oauth_error("invalid_request", message)
    body = _tokens(old.user_id, client_id, old.scopes, old.grant)
    # The refresh token keeps its own TTL, not reset by a refresh (programmatic-refresh-tokens).
    STATE.tokens.pop(body["refresh_token"])
    body["refresh_token"] = old.value
    body["refresh_token_expires_in"] = int(old.expires_at - STATE.now())
    return body


# --- what every /rest call checks ------------------------------------------------------------


def _months(year_month: str) -> int:
    return int(year_month[:4]) * 12 + int(year_month[4:6])


def version(req: Request) -> str:
    """The LinkedIn-Version header, checked ("All APIs require the request header
    Linkedin-Version", posts-api)."""
    value = req.headers.get("linkedin-version")
    if value is None:
        # ASSUMPTION: no documented body; a third-party note names VERSION_MISSING.
        raise error(
            400,
            "A version must be present. Please specify a version by adding the LinkedIn-Version "
            "header.",
            "VERSION_MISSING",
        )
    if not re.fullmatch(r"20\d{2}(0[1-9]|1[0-2])(\.\d{2})?", value):
        raise error(400, f"Invalid version format {value}", "VERSION_INVALID")  # ASSUMPTION
    now = datetime.fromtimestamp(STATE.now(), UTC).strftime("%Y%m")
    age = _months(now) - _months(value)
    if not 0 <= age <= VERSION_LIFETIME_MONTHS:
        # 426 NONEXISTENT_VERSION for a sunset or unknown version (OBSERVED, Pipedream #18398).
        raise error(426, f"Requested version {value} is not active", "NONEXISTENT_VERSION")
    return value


def authenticate(req: Request) -> Token:
    """The bearer token, alive (error-handling: 401 for an empty, invalid, expired or revoked
    token, with the observed serviceErrorCodes)."""
    value = req.bearer_token()
    if not value:
        raise error(401, "Empty oauth2_access_token", service=401)
    found = STATE.token("linkedin", value)
    if found is None:
        raise error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
    status = found.status(STATE.now())
    if status == "revoked":
        message = "The token used in the request has been revoked by the user"
        raise error(401, message, "REVOKED_ACCESS_TOKEN", 65601)
    if status == "expired":
        raise error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65602)
    return found


def protocol_2(req: Request) -> None:
    """Without X-Restli-Protocol-Version the call is read as protocol 1.0 (protocol-version
    page), where encoded URN keys and List() parameters do not resolve."""
    if req.headers.get("x-restli-protocol-version") != "2.0.0":
        raise illegal("Resource method could not be resolved from request parameters.")


def rest(req: Request, resource: str, scopes: set[str], *, keyed: bool = True) -> tuple[Token, str]:
    """(token, version) of a /rest call allowed to reach `resource` (e.g. "posts.CREATE");
    `keyed`: the call carries URN keys or finders, which need protocol 2.0."""
    ver = version(req)
    token = authenticate(req)
    if keyed:
        protocol_2(req)
    if not scopes & set(token.scopes):
        raise denied(resource, ver)
    return token, ver


def organizations_of(user_id: str) -> list[Page]:
    """The organisations the member administers (role ADMINISTRATOR, state APPROVED)."""
    user = STATE.user("linkedin", user_id)
    return list(user.pages) if user else []


def find_organization(org_id: str) -> Page | None:
    for user in STATE.users["linkedin"].values():
        for org in user.pages:
            if org.id == org_id:
                return org
    return None


def administered(token: Token, urn: object, resource: str, ver: str) -> Page:
    """The organisation `urn` names, when the member administers it; else 403 (posts-api:
    w_organization_social is "restricted to organizations in which the authenticated member
    has one of the following company page roles")."""
    org_id = urn.removeprefix(ORG) if isinstance(urn, str) and urn.startswith(ORG) else ""
    for org in organizations_of(token.user_id):
        if org.id == org_id:
            return org
    raise denied(resource, ver)


def page_params(req: Request, default_count: int = 10) -> tuple[int, int]:
    """(start, count): "start" defaults to 0, "count" to 10 (api-guide/concepts/pagination)."""
    try:
        start = int(req.query.get("start", 0))
        count = int(req.query.get("count", default_count))
    except ValueError:
        raise illegal("start and count must be integers") from None
    if start < 0 or count < 0:
        raise illegal("start and count must not be negative")
    return start, count


def paged(elements: list[dict], start: int, count: int) -> dict:
    return {
        "elements": elements[start : start + count],
        "paging": {"start": start, "count": count, "links": [], "total": len(elements)},
    }


# --- organisations -------------------------------------------------------------------------


@service.route("GET", REST + "/organizationAcls", "linkedin.organization_acls")
def organization_acls(req: Request) -> Response:
    token, _ = rest(req, "organizationAcls.FINDER-roleAssignee", ADMIN_SCOPES, keyed=False)
    # The roleAssignee finder is the member's own ACLs (organization-access-control-by-role).
    if req.query.get("q") != "roleAssignee":
        raise illegal("Resource method could not be resolved from request parameters.")
    role, state = req.query.get("role"), req.query.get("state")
    acls = [
        {
            "organization": f"{ORG}{org.id}",
            "role": "ADMINISTRATOR",
            "state": "APPROVED",
            "roleAssignee": f"{PERSON}{token.user_id}",
        }
        for org in organizations_of(token.user_id)
    ]
    acls = [a for a in acls if role in (None, a["role"]) and state in (None, a["state"])]
    return json_response(paged(acls, *page_params(req)))


@service.route("GET", REST + r"/organizations/(?P<id>\d+)", "linkedin.organization")
def organization(req: Request) -> Response:
    rest(req, "organizations.GET", ADMIN_SCOPES, keyed=False)
    org = find_organization(req.params["id"])
    if org is None:
        raise error(404, f"Organization {req.params['id']} not found", "NOT_FOUND")
    # organization-lookup-api: id, localizedName, vanityName, name (MultiLocaleString).
    return json_response(
        {
            "id": int(org.id),
            "localizedName": org.name,
            "vanityName": org.username,
            "name": {
                "localized": {"en_US": org.name},
                "preferredLocale": {"country": "US", "language": "en"},
            },
            "primaryOrganizationType": "NONE",
        }
    )
