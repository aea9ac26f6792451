"""Meta: the Facebook Login dialog and the Graph API for users, Pages and linked Instagram
accounts (platform-apis.md §1.1-1.4, §2.1, §3.1)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from emulator import consent, engagement, inbox
from emulator.graph import (
    GRAPH,
    graph_error,
    invalid,
    paginate,
    parse_fields,
    render,
    unsupported,
)
from emulator.server import Abort, Request, Response, Route, Service, json_response
from emulator.state import STATE, Fault, InstagramAccount, Page, Token, User, slug

DIALOG = r"/facebook/v\d+\.\d+/dialog/oauth"
SHORT_LIVED = 5400
LONG_LIVED = 5_183_944
APP_BUDGET = 200  # Graph calls per app per hour (200 x one daily user) behind X-App-Usage
USAGE_WINDOW = 3600
PAGE_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
IG_COUNTS = {"media_count": 42}


def _usage(percent: int) -> str:
    return json.dumps({"call_count": percent, "total_cputime": percent, "total_time": percent})


def _app_of(req: Request) -> str:
    token = STATE.tokens.get(req.access_token or "")
    if token and token.platform == "meta":
        return token.client_id
    return req.param("client_id") or ""


def add_usage(req: Request, route: Route, response: Response) -> None:
    if route.endpoint != "meta.authorize":
        calls, _ = STATE.hit_window(("meta", _app_of(req)), USAGE_WINDOW)
        response.headers.setdefault("X-App-Usage", _usage(min(100, calls * 100 // APP_BUDGET)))


def render_fault(req: Request, route: Route, fault: Fault) -> Response:
    if fault.kind == "rate_limit":
        token = STATE.tokens.get(req.access_token or "")
        owner = (token and token.page_id) or _app_of(req) or "0"
        full = {"call_count": 100, "total_cputime": 100, "total_time": 100}
        minutes = max(1, math.ceil(fault.reset_after / 60))
        buc = {owner: [{"type": "pages", **full, "estimated_time_to_regain_access": minutes}]}
        headers = {"X-App-Usage": _usage(100), "X-Business-Use-Case-Usage": json.dumps(buc)}
        message = "(#4) Application request limit reached"
        return graph_error(403, 4, message, transient=True, headers=headers)
    if fault.kind == "auth":
        return graph_error(400, 190, "Error validating access token: Session has expired.", 463)
    if fault.kind == "validation":
        return graph_error(400, 100, "(#100) Invalid parameter")
    message = "An unexpected error has occurred. Please retry your request later."
    return graph_error(500, 2, message, transient=True)


service = Service("meta", render_fault, add_usage)


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")


def _check(token: Token | None) -> Token:
    if token is None:
        raise Abort(graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token"))
    status = token.status(STATE.now())
    if status == "expired":
        message = (
            f"Error validating access token: Session has expired on {_stamp(token.expires_at)}. "
            f"The current time is {_stamp(STATE.now())}."
        )
        raise Abort(graph_error(400, 190, message, 463))
    if status == "revoked":
        message = (
            "Error validating access token: The session has been invalidated because the user "
            "changed their password or Facebook has changed the session for security reasons."
        )
        raise Abort(graph_error(400, 190, message, 460))
    return token


def authenticate(req: Request) -> Token:
    if not req.access_token:
        message = "An active access token must be used to query information about the current user."
        raise Abort(graph_error(400, 2500, message))
    return _check(STATE.token("meta", req.access_token))


# --- fields ----------------------------------------------------------------------------------


def _picture(req: Request, key: str) -> dict:
    url = req.avatar_url(key)
    return {"data": {"height": 50, "is_silhouette": False, "url": url, "width": 50}}


def _user_getters(req: Request, user: User) -> dict:
    return {
        "id": lambda _: user.id,
        "name": lambda _: user.name,
        "picture": lambda _: _picture(req, user.handle),
    }


def _instagram_getters(req: Request, page: Page) -> dict:
    ig = page.instagram
    return {
        "id": lambda _: ig.id,
        "username": lambda _: ig.username,
        "name": lambda _: ig.name,
        "profile_picture_url": lambda _: req.avatar_url(ig.username),
        # IG User reference: followers_count; the number the engagement model gives.
        "followers_count": lambda _: engagement.followers_at("instagram", ig.id, STATE.now()),
        **{name: (lambda _, value=value: value) for name, value in IG_COUNTS.items()},
    }


def _page_getters(req: Request, page: Page, token: Token) -> dict:
    def page_token(_: str | None) -> str:
        return token.value if token.kind == "page" else STATE.page_token(token, page.id).value

    def instagram(nested: str | None) -> dict | None:
        if page.instagram is None:
            return None
        return render("IGUser", _instagram_getters(req, page), parse_fields(nested, ["id"]))

    return {
        "id": lambda _: page.id,
        "name": lambda _: page.name,
        "username": lambda _: page.username,
        "category": lambda _: "Local business",
        "link": lambda _: f"https://www.facebook.com/{page.username}",
        # Page reference: followers_count; the number the engagement model gives.
        "followers_count": lambda _: engagement.followers_at("facebook", page.id, STATE.now()),
        "tasks": lambda _: PAGE_TASKS,
        "picture": lambda _: _picture(req, page.username),
        "access_token": page_token,
        "instagram_business_account": instagram,
    }


def _sender_getters(req: Request, sender: dict, network: str) -> dict:
    """The User Profile API's view of a person who messaged a Page (network facebook: PSID
    fields) or its Instagram account (network instagram: IGSID fields)."""
    name = sender["name"]
    handle = slug(name) or sender["id"]
    getters = {
        "id": lambda _: sender["id"],
        "name": lambda _: name,
        "profile_pic": lambda _: req.avatar_url(f"{handle}-{sender['id']}"),
    }
    if network == "instagram":
        getters["username"] = lambda _: handle
    else:
        # The last word is the last name ("Mary Ann Lee": "Mary Ann" + "Lee"); one word is all
        # first name.
        words = name.split() or [name]
        first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (words[0], "")
        getters["first_name"] = lambda _: first
        getters["last_name"] = lambda _: last
    return getters


def _last_message_from(token: Token, person_id: str) -> inbox.Event | None:
    """The last message of that person to the page token's Page or its Instagram account:
    only they can be looked up by PSID / IGSID, and only with that Page's token."""
    found = STATE.find_page(token.page_id or "") if token.kind == "page" else None
    if found is None:
        return None
    page = found[1]
    accounts = {page.id} | ({page.instagram.id} if page.instagram else set())
    return inbox.latest_message({"facebook", "instagram"}, accounts, person_id)


# --- login dialog and tokens -----------------------------------------------------------------


@service.route("GET POST", DIALOG, "meta.authorize", faults=False)
def authorize(req: Request) -> Response:
    client_id, redirect_uri = req.param("client_id"), req.param("redirect_uri")
    response_type = req.param("response_type")
    bad_type = None if response_type in (None, "code") else "Only response_type=code is supported."

    def issue(user: User, granted: list[str], declined: list[str]) -> dict[str, str]:
        code = STATE.issue_code(
            "meta",
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            scopes=granted,
            declined=declined,
        )
        return {"code": code.value}

    return consent.authorize(
        req,
        "meta",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=consent.requested_scopes(req, r"[,\s]+"),
        issue=issue,
        denied={
            "error": "access_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
        },
        invalid=bad_type,
    )


def _client(req: Request) -> str:
    client_id, secret = req.param("client_id"), req.param("client_secret")
    for name, value in (("client_id", client_id), ("client_secret", secret)):
        if not value:
            raise invalid(f"Missing {name} parameter.")
    if not STATE.client_secret_ok("meta", client_id, secret):
        raise Abort(graph_error(400, 1, "Error validating client secret."))
    return client_id


@service.route("GET POST", GRAPH + "/oauth/access_token", "meta.token")
def access_token(req: Request) -> Response:
    if req.param("grant_type") == "fb_exchange_token":
        return _exchange(req)
    client_id = _client(req)
    redirect_uri = req.param("redirect_uri")
    code = STATE.code("meta", req.param("code"))
    if code is None:
        raise invalid("Invalid verification code format.", 36009)
    if code.used:
        raise invalid("This authorization code has been used.", 36009)
    if code.expires_at <= STATE.now():
        raise invalid("This authorization code has expired.", 36007)
    if code.client_id != client_id or code.redirect_uri != redirect_uri:
        raise invalid(
            "Error validating verification code. Please make sure your redirect_uri is identical "
            "to the one you used in the OAuth dialog request"
        )
    code.used = True
    token = STATE.issue_token(
        "meta",
        "user",
        user_id=code.user_id,
        client_id=client_id,
        scopes=code.scopes,
        grant=STATE.new_grant(),
        ttl=SHORT_LIVED,
        declined=code.declined,
    )
    return json_response(
        {"access_token": token.value, "token_type": "bearer", "expires_in": SHORT_LIVED}
    )


def _exchange(req: Request) -> Response:
    client_id = _client(req)
    if not req.param("fb_exchange_token"):
        raise invalid("Missing fb_exchange_token parameter.")
    short = _check(STATE.token("meta", req.param("fb_exchange_token")))
    if short.kind != "user" or short.client_id != client_id:
        message = "Error validating access token: the token does not belong to this app."
        raise Abort(graph_error(400, 190, message))
    token = STATE.issue_token(
        "meta",
        "user",
        user_id=short.user_id,
        client_id=client_id,
        scopes=short.scopes,
        grant=short.grant,
        ttl=LONG_LIVED,
        declined=short.declined,
        long_lived=True,
    )
    return json_response(
        {"access_token": token.value, "token_type": "bearer", "expires_in": LONG_LIVED}
    )


# --- the graph -------------------------------------------------------------------------------


def _user_of(req: Request, token: Token) -> User:
    """The user a /{me|user-id}/… edge is about; only a user token of that user may ask."""
    if token.kind != "user" or req.params["who"] not in ("me", token.user_id):
        raise unsupported(req.params["who"])
    return STATE.user("meta", token.user_id)


@service.route("GET", GRAPH + "/me", "meta.me")
def me(req: Request) -> Response:
    token = authenticate(req)
    fields = parse_fields(req.param("fields"), ["id", "name"])
    if token.kind == "page":  # /me with a page token is the page
        _, page = STATE.find_page(token.page_id)
        return json_response(render("Page", _page_getters(req, page, token), fields))
    user = STATE.user("meta", token.user_id)
    return json_response(render("User", _user_getters(req, user), fields))


@service.route("GET", GRAPH + r"/(?P<who>me|\d+)/accounts", "meta.accounts")
def accounts(req: Request) -> Response:
    token = authenticate(req)
    if token.kind == "page":
        raise invalid("(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
    # Pages the person reaches only through a Business Manager are not on /me/accounts
    # (they come from /{business-id}/owned_pages and client_pages).
    through_business = _business_pages()
    pages = {
        page.id: page for page in _user_of(req, token).pages if page.id not in through_business
    }
    chunk, paging = paginate(req, list(pages))
    if not chunk:
        return json_response({"data": []})
    default = ["access_token", "category", "name", "id", "tasks"]
    fields = parse_fields(req.param("fields"), default)
    data = [render("Page", _page_getters(req, pages[page_id], token), fields) for page_id in chunk]
    return json_response({"data": data, "paging": paging})


@service.route("GET", GRAPH + r"/(?P<who>me|\d+)/permissions", "meta.permissions")
def permissions(req: Request) -> Response:
    token = authenticate(req)
    # Facebook always lists public_profile, requested or not.
    granted = token.scopes
    if "public_profile" not in token.scopes + token.declined:
        granted = [*granted, "public_profile"]
    data = [{"permission": p, "status": "granted"} for p in granted]
    data += [{"permission": p, "status": "declined"} for p in token.declined]
    return json_response({"data": data})


@service.route("DELETE", GRAPH + r"/(?P<who>me|\d+)/permissions", "meta.revoke")
def revoke(req: Request) -> Response:
    token = authenticate(req)
    user = _user_of(req, token)
    # Removing the app kills every token the user gave it, page tokens included.
    STATE.revoke("meta", user.id, token.client_id)
    return json_response({"success": True})


@service.route("GET", GRAPH + r"/(?P<node>\d+)", "meta.node")
def node(req: Request) -> Response:
    token = authenticate(req)
    node_id = req.params["node"]
    requested = req.param("fields")
    if token.kind == "user" and node_id == token.user_id:
        user = STATE.user("meta", node_id)
        return json_response(
            render("User", _user_getters(req, user), parse_fields(requested, ["id", "name"]))
        )
    if found := STATE.find_page(node_id):
        owner, page = found
        if owner.id == token.user_id and token.page_id in (None, page.id):
            fields = parse_fields(requested, ["id", "name"])
            return json_response(render("Page", _page_getters(req, page, token), fields))
    if found := STATE.find_instagram(node_id):
        owner, page = found
        if owner.id == token.user_id and token.page_id in (None, page.id):
            fields = parse_fields(requested, ["id"])
            return json_response(render("IGUser", _instagram_getters(req, page), fields))
    if message := _last_message_from(token, node_id):
        getters = _sender_getters(req, message.sender, message.network)
        fields = parse_fields(requested, ["id", "name"])
        return json_response(render("User", getters, fields))
    raise unsupported(node_id)


# --- Business Manager ------------------------------------------------------------------------
# developers.facebook.com/docs/graph-api/reference/user/businesses/,
# .../reference/business/owned_pages, marketing-api/reference/business/client_pages


def _businesses() -> dict[str, dict]:
    return STATE.table("meta_businesses")


def _business_pages() -> set[str]:
    return {
        page_id
        for business in _businesses().values()
        for page_id in business["owned_pages"] + business["client_pages"]
    }


def _new_page(spec: object) -> Page:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise ValueError("every page needs a name")
    page = Page(STATE.next_id("meta_page"), spec["name"], slug(spec["name"]))
    if isinstance(spec.get("instagram"), dict):
        username = spec["instagram"].get("username") or page.username
        page.instagram = InstagramAccount(STATE.next_id("instagram"), username, page.name)
    return page


@service.route("POST", r"/_control/meta/businesses", "meta.control_businesses", faults=False)
def add_business(req: Request) -> Response:
    """A Business Manager of an emulated user, with Pages it owns and client Pages it manages
    (`{"user_id", "name", "owned_pages": [{"name", "instagram"?}], "client_pages": [...]}`);
    the user reaches them only through the business."""
    payload = req.json if isinstance(req.json, dict) else {}
    user = STATE.user("meta", str(payload.get("user_id") or ""))
    try:
        if user is None:
            raise ValueError("user_id must be an emulated meta user")
        if not isinstance(payload.get("name"), str) or not payload["name"]:
            raise ValueError("name is required")
        owned = [_new_page(spec) for spec in payload.get("owned_pages") or []]
        clients = [_new_page(spec) for spec in payload.get("client_pages") or []]
    except ValueError as error:
        return json_response({"error": str(error)}, 400)
    user.pages.extend(owned + clients)
    business = {
        "id": str(90_000_000_000_000 + len(_businesses()) + 1),
        "name": payload["name"],
        "user_id": user.id,
        "owned_pages": [page.id for page in owned],
        "client_pages": [page.id for page in clients],
    }
    _businesses()[business["id"]] = business
    pages = {page.id: page.to_json() for page in owned + clients}
    return json_response({**business, "pages": list(pages.values())}, 201)


def _business_token(req: Request) -> Token:
    token = authenticate(req)
    if token.kind != "user":
        raise unsupported(req.params.get("who") or req.params.get("business") or "me")
    if "business_management" not in token.scopes:
        message = "(#200) Requires business_management permission to manage the object"
        raise Abort(graph_error(403, 200, message))
    return token


def _business_getters(business: dict) -> dict:
    return {
        "id": lambda _: business["id"],
        "name": lambda _: business["name"],
        "permitted_roles": lambda _: ["ADMIN"],
    }


@service.route("GET", GRAPH + r"/(?P<who>me|\d+)/businesses", "meta.businesses")
def businesses(req: Request) -> Response:
    token = _business_token(req)
    user = _user_of(req, token)
    mine = {b["id"]: b for b in _businesses().values() if b["user_id"] == user.id}
    chunk, paging = paginate(req, list(mine))
    fields = parse_fields(req.param("fields"), ["id", "name"])
    data = [render("Business", _business_getters(mine[b]), fields) for b in chunk]
    return json_response({"data": data, "paging": paging} if data else {"data": []})


@service.route(
    "GET",
    GRAPH + r"/(?P<business>\d+)/(?P<edge>owned_pages|client_pages)",
    "meta.business_pages",
)
def business_pages(req: Request) -> Response:
    token = _business_token(req)
    business = _businesses().get(req.params["business"])
    if business is None or business["user_id"] != token.user_id:
        raise unsupported(req.params["business"])
    ids = business[req.params["edge"]]
    chunk, paging = paginate(req, ids)
    fields = parse_fields(req.param("fields"), ["id", "name"])
    data = []
    for page_id in chunk:
        _, page = STATE.find_page(page_id)
        getters = _page_getters(req, page, token)
        if req.params["edge"] == "client_pages":
            getters["permitted_tasks"] = lambda _: PAGE_TASKS
        data.append(render("Page", getters, fields))
    # Both edges answer {data, paging, summary} (business/owned_pages reference).
    body = {"data": data, "paging": paging, "summary": {"total_count": len(ids)}}
    return json_response(body if data else {"data": [], "summary": {"total_count": len(ids)}})
