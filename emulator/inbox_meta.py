"""Meta's inbox side (platform-apis.md §1.5, §2.4, §3.4, §3.5): inbound Page and Instagram
messages and comments as webhook bodies, the Send API with its messaging windows, and comment
replies.

The Send API answers only a person who wrote first: a standard reply (`RESPONSE`, `UPDATE`)
within 24 hours of their last message, `MESSAGE_TAG` + `HUMAN_AGENT` within 7 days; later →
code 10 subcode 2018278.
"""

from __future__ import annotations

import json

from emulator import graph, inbox, meta, subscriptions
from emulator.graph import GRAPH, arg, graph_error, invalid, text_arg
from emulator.inbox import DAY, Event
from emulator.meta_fields import APP_OBJECTS, INSTAGRAM_FIELDS, MESSAGING_FIELDS, PAGE_FIELDS
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, Page, Token

MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
ATTACHMENT_TYPES = ("image",)  # audio, video, file, ... are not emulated
OUTSIDE_WINDOW = (
    "(#10) This message is sent outside of allowed window. Learn more about the new policy "
    "here: https://developers.facebook.com/docs/messenger-platform/policy-overview"
)

service = Service("meta", meta.render_fault, meta.add_usage)


def _mid() -> str:
    return f"m_emu{inbox.number('meta_mid'):012d}"


def _comment_id(post_id: str) -> str:
    """`{post-number}_{comment-number}` on Facebook, a bare number on Instagram."""
    n = inbox.number("meta_comment")
    if "_" in post_id:
        return f"{post_id.split('_', 1)[1]}_{60_000_000_000_000 + n}"
    return str(17_960_000_000_000_000 + n)


def _attachment_types(payload: dict) -> list[str]:
    """The types of an inbound message's `attachments` ([{"type": "image"}, …]); ValueError for
    anything else."""
    wanted = payload.get("attachments")
    if wanted is None:
        return []
    ok = isinstance(wanted, list) and all(
        isinstance(item, dict) and set(item) == {"type"} and item["type"] in ATTACHMENT_TYPES
        for item in wanted
    )
    if not ok:
        raise ValueError(
            'attachments must be a list of {"type": "image"} (no other type is emulated)'
        )
    return [item["type"] for item in wanted]


def _message(req: Request, mid: str, text: str, kinds: list[str]) -> dict:
    """The webhook's `message`: text and/or attachments, each a picture the emulator serves
    (Meta sends a CDN URL the receiver downloads)."""
    message: dict = {"mid": mid}
    if text:
        message["text"] = text
    if kinds:
        message["attachments"] = [
            {"type": kind, "payload": {"url": req.attachment_url(f"{mid}-{n}")}}
            for n, kind in enumerate(kinds, 1)
        ]
    return message


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A customer's message or comment to a Page or Instagram account, with its webhook body.
    Raises ValueError for a malformed description."""
    account = str(payload.get("account_id") or "")
    if STATE.find_page(account):
        network, obj = "facebook", "page"
    elif STATE.find_instagram(account):
        network, obj = "instagram", "instagram"
    else:
        raise ValueError("account_id must be a Page or Instagram account id the emulator holds")
    now = STATE.now()
    ms = int(now * 1000)
    if payload.get("kind") == "message":
        kinds = _attachment_types(payload)
        if not text and not kinds:
            raise ValueError("a message needs a text, attachments or both")
        mid = _mid()
        message = _message(req, mid, text, kinds)
        entry = {
            "id": account,
            "time": ms,
            "messaging": [
                {
                    "sender": {"id": sender["id"]},
                    "recipient": {"id": account},
                    "timestamp": ms,
                    "message": message,
                }
            ],
        }
        body = {"object": obj, "entry": [entry]}
        event = Event(mid, "meta", network, "message", account, sender, text, now, body=body)
        event.attachments = message.get("attachments", [])
        return _gated(event, "messages")
    post = STATE.find_post(network, str(payload.get("post_id") or ""))
    if post is None or post.account_id != account:
        raise ValueError("a comment needs the post_id of a post of that account")
    comment_id = _comment_id(post.id)
    if network == "facebook":
        value = {
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": post.id,
            "parent_id": post.id,
            "message": text,
            "from": sender,
            "created_time": int(now),
        }
        change = {"field": "feed", "value": value}
    else:
        value = {
            "id": comment_id,
            "text": text,
            "from": {"id": sender["id"], "username": sender["name"]},
            "media": {"id": post.id, "media_product_type": "FEED"},
        }
        change = {"field": "comments", "value": value}
    body = {"object": obj, "entry": [{"id": account, "time": int(now), "changes": [change]}]}
    event = Event(comment_id, "meta", network, "comment", account, sender, text, now, post.id, body)
    return _gated(event, change["field"])


def _gated(event: Event, field: str) -> Event:
    """Meta sends a Page's events only once the Page installed the app with that field, and an
    Instagram account's once its linked Page installed the app (any field) and the app has that
    Instagram field: see `install_app`, `_subscribe_instagram`.
    developers.facebook.com/documentation/pages-api/webhooks-for-pages"""
    event.subscriber, event.subscription_field = event.account_id, field
    return event


def _page_token(req: Request) -> Token:
    token = meta.authenticate(req)
    if token.kind != "page":
        message = "(#210) A page access token is required to request this resource."
        raise Abort(graph_error(400, 210, message))
    return token


def _object_arg(req: Request, name: str) -> dict:
    """A JSON object parameter (`recipient`, `message`): a JSON body member or a form field."""
    value = arg(req, name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(f"(#100) param {name} must be a JSON object") from None
    if not isinstance(value, dict):
        raise invalid(f"(#100) param {name} must be a JSON object")
    return value


@service.route("POST", GRAPH + r"/(?P<who>me|\d+)/messages", "meta.messages")
def send_message(req: Request) -> Response:
    token = _page_token(req)
    who = req.params["who"]
    found = STATE.find_page(token.page_id or "")
    if found is None or who not in ("me", token.page_id):
        raise graph.unsupported(who, "post")
    page: Page = found[1]
    if "pages_messaging" not in token.scopes:
        message = "(#230) Requires pages_messaging permission to manage the object"
        raise graph.missing_permission(230, message)
    recipient, message = _object_arg(req, "recipient"), _object_arg(req, "message")
    text = message.get("text")
    if not isinstance(text, str) or not text:
        raise invalid("(#100) Message cannot be empty, must provide valid attachment or text")
    messaging_type, tag = text_arg(req, "messaging_type"), text_arg(req, "tag") or None
    if messaging_type not in MESSAGING_TYPES:
        raise invalid("(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    if (messaging_type == "MESSAGE_TAG") != (tag is not None) or tag not in (None, "HUMAN_AGENT"):
        raise invalid("(#100) param tag must be HUMAN_AGENT, and only with MESSAGE_TAG")
    accounts = {page.id} | ({page.instagram.id} if page.instagram else set())
    person = str(recipient.get("id") or "")
    last = inbox.latest_message({"facebook", "instagram"}, accounts, person)
    if last is None:
        raise Abort(graph_error(400, 100, "(#100) No matching user found", 2018001))
    window = 7 * DAY if tag == "HUMAN_AGENT" else DAY
    if STATE.now() - last.created_at > window:
        raise Abort(graph_error(400, 10, OUTSIDE_WINDOW, 2018278))
    mid = _mid()
    inbox.record_reply(
        "meta",
        last.network,
        "message",
        last.account_id,
        id=mid,
        text=text,
        recipient=person,
        in_reply_to=last.id,
        messaging_type=messaging_type,
        tag=tag,
    )
    return json_response({"recipient_id": person, "message_id": mid})


def _reply(req: Request, comment: Event, new_id: str) -> Response:
    text = text_arg(req, "message")
    if not text:
        raise invalid("(#100) Missing message")
    inbox.record_reply(
        "meta",
        comment.network,
        "comment_reply",
        comment.account_id,
        id=new_id,
        text=text,
        recipient=comment.sender["id"],
        in_reply_to=comment.id,
    )
    return json_response({"id": new_id})


@service.route("POST", GRAPH + r"/(?P<comment>\d+_\d+)/comments", "meta.comment_reply")
def reply_to_page_comment(req: Request) -> Response:
    token = _page_token(req)
    comment = inbox.find_comment("facebook", req.params["comment"])
    if comment is None or comment.account_id != token.page_id:
        raise graph.unsupported(req.params["comment"], "post")
    if "pages_manage_engagement" not in token.scopes:
        message = "(#200) Requires pages_manage_engagement permission to manage the object"
        raise graph.missing_permission(200, message)
    return _reply(req, comment, _comment_id(comment.post_id or ""))


@service.route("POST", GRAPH + r"/(?P<comment>\d+)/replies", "meta.ig_reply")
def reply_to_instagram_comment(req: Request) -> Response:
    token = meta.authenticate(req)
    comment = inbox.find_comment("instagram", req.params["comment"])
    owner = STATE.find_instagram(comment.account_id) if comment else None
    if owner is None or owner[0].id != token.user_id or token.page_id not in (None, owner[1].id):
        raise graph.unsupported(req.params["comment"], "post")
    if "instagram_manage_comments" not in token.scopes:
        message = "(#10) Application does not have permission for this action"
        raise graph.missing_permission(10, message)
    return _reply(req, comment, _comment_id(comment.post_id or ""))


# --- installing the app on a Page (Page-level webhook subscriptions) -------------------------

SUBSCRIBED_APPS = GRAPH + r"/(?P<page>\d+)/subscribed_apps"


def _installing_page(req: Request, *scopes: str) -> tuple[Page, Token]:
    """The Page of /{page-id}/subscribed_apps, for its own Page token with `scopes`.
    developers.facebook.com/docs/graph-api/reference/page/subscribed_apps"""
    token = meta.authenticate(req)
    page_id = req.params["page"]
    found = STATE.find_page(page_id)
    if found is None or found[0].id != token.user_id or token.page_id not in (None, page_id):
        raise graph.unsupported(page_id, "post" if req.method != "GET" else "get")
    # "A Page access token requested by a person who can perform ... on the Page" (reference).
    if token.kind != "page":
        message = "(#210) A page access token is required to request this resource."
        raise Abort(graph_error(400, 210, message))
    for scope in scopes:
        if scope not in token.scopes:
            # Body as users report it (facebook-python-business-sdk#715).
            message = f"(#200) Requires {scope} permission to manage the object"
            raise graph.missing_permission(200, message)
    return found[1], token


def _fields_arg(req: Request, name: str) -> list[str]:
    """A list parameter: comma-separated, a JSON list, or a JSON body list."""
    raw = arg(req, name)
    if isinstance(raw, list):
        names = [str(item) for item in raw]
    else:
        text = raw if isinstance(raw, str) else ""
        try:
            parsed = json.loads(text) if text.startswith("[") else None
        except ValueError:
            parsed = None
        names = [str(n) for n in parsed] if isinstance(parsed, list) else text.split(",")
    return [name.strip() for name in names if name.strip()]


@service.route("GET", SUBSCRIBED_APPS, "meta.subscribed_apps")
def installed_apps(req: Request) -> Response:
    # Read needs pages_manage_metadata and pages_show_list (subscribed_apps reference).
    page, _ = _installing_page(req, "pages_manage_metadata", "pages_show_list")
    entry = subscriptions.subscription("meta", page.id)
    if entry is None:
        return json_response({"data": []})  # nothing installed (webhooks-for-pages sample)
    app = entry["app_id"]
    node = {
        "category": "Business",
        "link": f"https://www.facebook.com/games/?app_id={app}",
        "name": f"App {app}",
        "id": app,
        # The reference lists subscribed_fields per installed app.
        "subscribed_fields": entry["fields"],
    }
    return json_response({"data": [node]})


@service.route("POST", SUBSCRIBED_APPS, "meta.subscribed_apps")
def install_app(req: Request) -> Response:
    # Installing needs pages_manage_metadata (webhooks-for-pages; fixture
    # page_subscribed_apps_post_missing_permission.json).
    page, token = _installing_page(req, "pages_manage_metadata")
    fields = _fields_arg(req, "subscribed_fields")
    if not fields:
        # subscribed_fields is the edge's one parameter (SDK Page.create_subscribed_app).
        raise invalid("(#100) The parameter subscribed_fields is required.")
    if unknown := [name for name in fields if name not in PAGE_FIELDS]:
        raise invalid(
            f"(#100) Param subscribed_fields[0] must be one of {{...}} - got {unknown[0]}"
        )
    # "To subscribe to the messages field, one of these permissions is needed: pages_messaging"
    # (user report, jgorset/facebook-messenger#280; webhooks-for-pages: messages need it).
    if "pages_messaging" not in token.scopes:
        for name in fields:
            if name in MESSAGING_FIELDS:
                message = (
                    f"(#200) To subscribe to the {name} field, one of these permissions is "
                    "needed: pages_messaging"
                )
                raise graph.missing_permission(200, message)
    # A POST sets the app's fields on the Page (the edge holds one set per app).
    subscriptions.subscribe("meta", page.id, fields, app_id=token.client_id, object="page")
    if page.instagram:
        # Installing on the linked Page turns on the Instagram account's webhooks
        # (instagram/features/webhook "Enable Page subscriptions"), for the app's Instagram fields.
        _subscribe_instagram(page.instagram.id, page.id)
    # Clients see boolean true (the doc sample shows the string "true").
    return json_response({"success": True})


@service.route("DELETE", SUBSCRIBED_APPS, "meta.subscribed_apps")
def uninstall_app(req: Request) -> Response:
    # DELETE /{page-id}/subscribed_apps with the Page token removes this app (SDK
    # Page.delete_subscribed_apps); the answer shape is not documented.
    page, _ = _installing_page(req, "pages_manage_metadata")
    subscriptions.unsubscribe("meta", page.id)
    if page.instagram:
        subscriptions.unsubscribe("meta", page.instagram.id)
    return json_response({"success": True})


# --- the app's own webhook settings (App-level subscriptions) ---------------------------------

# The App Dashboard's Instagram messaging fields, which the subscriptions edge cannot set
# (instagram/features/webhook). The emulator's app starts with them ticked, as that page's setup
# asks; `POST /_control/meta/app_dashboard` changes them (docs/emulator.md).
DASHBOARD_ONLY = {"instagram": frozenset(INSTAGRAM_FIELDS) - APP_OBJECTS["instagram"]}


def _app_fields() -> dict[str, list[str]]:
    """The app's fields per object (`page`, `instagram`), however they were set."""
    table = STATE.table("meta_app_fields")
    if not table:
        table.update({obj: sorted(fields) for obj, fields in DASHBOARD_ONLY.items()})
    return table


def _subscribe_instagram(account_id: str, page_id: str) -> None:
    """An Instagram account gets the app's Instagram fields, no more, and cannot choose its
    own: "only fields with subscriptions at both the page and app levels will get Webhooks"
    (graph-api/reference/page/subscribed_apps; instagram-platform/webhooks, setup)."""
    app = set(_app_fields().get("instagram", ()))
    fields = [name for name in INSTAGRAM_FIELDS if name in app]
    subscriptions.subscribe("meta", account_id, fields, object="instagram", page_id=page_id)


def _set_app_fields(obj: str, fields: list[str]) -> None:
    """Record the app's fields for one object; installed Instagram accounts follow at once."""
    _app_fields()[obj] = sorted(set(fields))
    if obj != "instagram":
        return
    for entry in list(STATE.table("account_subscriptions").values()):
        if entry["platform"] == "meta" and entry.get("object") == "instagram":
            _subscribe_instagram(entry["account_id"], entry["page_id"])


# App ids are numbers on Facebook; the emulator accepts any client id (docs/emulator.md).
APP_SUBSCRIPTIONS = GRAPH + r"/(?P<app>[^/]+)/subscriptions"


def _app(req: Request) -> tuple[str, str]:
    """(app id, app secret) of an app access token `{app-id}|{app-secret}` for the app in the
    path. developers.facebook.com/docs/graph-api/reference/app/subscriptions: "An app access
    token is required"."""
    app_id, _, secret = (req.access_token or "").partition("|")
    if not secret:
        # Any other token: Graph error #15 (graph-api/guides/error-handling) [unconfirmed text].
        message = "(#15) This method must be called with an app access_token."
        raise Abort(graph_error(400, 15, message))
    if not STATE.client_secret_ok("meta", app_id, secret):
        raise Abort(graph_error(400, 190, "Invalid OAuth access token signature."))
    if app_id != req.params["app"]:
        raise graph.unsupported(req.params["app"], "post" if req.method != "GET" else "get")
    return app_id, secret


@service.route("POST", APP_SUBSCRIPTIONS, "meta.app_subscriptions")
def subscribe_app(req: Request) -> Response:
    """Set the app's callback and fields for one object; Meta then verifies the callback with
    the hub.challenge GET (subscriptions-edge, getting-started)."""
    from emulator import webhooks  # it imports this module

    _, secret = _app(req)
    obj, url = text_arg(req, "object"), text_arg(req, "callback_url")
    verify_token, fields = text_arg(req, "verify_token"), _fields_arg(req, "fields")
    if obj not in APP_OBJECTS:
        raise invalid(f"(#100) Param object must be one of {{{', '.join(APP_OBJECTS)}}}")
    for name, value in (("callback_url", url), ("verify_token", verify_token)):
        if not value:
            raise invalid(f"(#100) The parameter {name} is required.")
    if not fields:
        raise invalid("(#100) The parameter fields is required.")
    if unknown := [name for name in fields if name not in APP_OBJECTS[obj]]:
        raise invalid(f"(#100) {unknown[0]} is not a field of {obj} this edge can subscribe")
    subscription = {"platform": "meta", "url": url, "secret": secret, "verify_token": verify_token}
    subscription.update(webhooks._verify("meta", subscription, webhooks.DEFAULT_TIMEOUT))
    if not subscription["verified"]:
        # A failed handshake leaves nothing subscribed (getting-started: "Verification Requests").
        message = f"(#2200) callback verification failed: {subscription['reason']}"
        raise Abort(graph_error(400, 2200, message))
    STATE.table("webhook_subscriptions")["meta"] = subscription
    # The edge sets the fields it can; Instagram messaging fields stay as the Dashboard set them.
    kept = [name for name in _app_fields().get(obj, ()) if name not in APP_OBJECTS[obj]]
    _set_app_fields(obj, fields + kept)
    return json_response({"success": True})


@service.route("GET", APP_SUBSCRIPTIONS, "meta.app_subscriptions")
def app_subscriptions(req: Request) -> Response:
    _app(req)
    current = STATE.table("webhook_subscriptions").get("meta") or {}
    data = [
        {
            "object": obj,
            "callback_url": current["url"],
            "active": bool(current.get("verified")),
            "fields": [{"name": name, "version": "v25.0"} for name in fields],
        }
        for obj, fields in _app_fields().items()
        if current and fields
    ]
    return json_response({"data": data})


@subscriptions.service.route("POST", r"/_control/meta/app_dashboard")
def app_dashboard(req: Request) -> Response:
    """Stand-in for the App Dashboard's Webhooks settings: the app's Instagram fields, messaging
    ones included (the only place to set those: instagram/features/webhook)."""
    payload = req.json if isinstance(req.json, dict) else {}
    fields = payload.get("fields")
    if payload.get("object") != "instagram":
        return json_response({"error": "object must be instagram"}, 400)
    if not isinstance(fields, list) or not all(name in INSTAGRAM_FIELDS for name in fields):
        return json_response(
            {"error": f"fields must be a list of: {', '.join(INSTAGRAM_FIELDS)}"}, 400
        )
    _set_app_fields("instagram", fields)
    return json_response(_app_fields())


@subscriptions.service.route("GET", r"/_control/meta/app_dashboard")
def app_dashboard_fields(req: Request) -> Response:
    return json_response(_app_fields())
