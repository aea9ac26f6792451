"""X's inbox side: the v2 webhook API (`/2/webhooks`, with its CRC), X Activity API
subscriptions (`/2/activity/subscriptions`), inbound DMs, replies and mentions delivered as X
Activity events, and the DM send endpoint.

https://docs.x.com/x-api/webhooks/quickstart, https://docs.x.com/x-api/activity/introduction,
https://docs.x.com/x-api/activity/event-payloads

One app: every app-only token manages the same webhooks and subscriptions (the emulator does not
tie an OAuth 2.0 client to its consumer key). An inbound reply is also kept as a post (by the
customer), so the product can answer it with `POST /2/tweets` `reply.in_reply_to_tweet_id`. A DM
can only go to someone who has written to the account (X answers 403 when the person does not
accept DMs from it).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from emulator import inbox, subscriptions, x
from emulator.inbox import Event
from emulator.posts import Post, iso
from emulator.server import Abort, Request, Response, json_response
from emulator.state import STATE, User, slug

API = r"/x-api/2"
DM_TEXT_LIMIT = 10_000
WEBHOOK_URL_MAX = 200  # CreateWebhooksRequest.url maxLength (docs.x.com openapi.json)
CRC_TIMEOUT = 10.0  # "respond … within 10 seconds" (docs.x.com/x-api/webhooks/quickstart)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Subscription caps per package tier (docs.x.com/x-api/activity/introduction#subscription-limits).
PLAN_SUBSCRIPTIONS = {"self_serve": 1500, "enterprise": 75_000, "partner": 150_000}
# CreateActivitySubscriptionRequest.event_type (docs.x.com openapi.json).
EVENT_TYPES = [
    "profile.update.bio",
    "profile.update.profile_picture",
    "profile.update.banner_picture",
    "profile.update.screenname",
    "profile.update.geo",
    "profile.update.url",
    "profile.update.verified_badge",
    "profile.update.affiliate_badge",
    "profile.update.handle",
    "news.new",
    "follow.follow",
    "follow.unfollow",
    "spaces.start",
    "spaces.end",
    "broadcast.start",
    "broadcast.end",
    "broadcast.chat",
    "chat.received",
    "chat.sent",
    "chat.conversation.join",
    "chat.conversation_join",
    "chat.conversation.member_added",
    "chat.conversation.member_removed",
    "chat.conversation.admin_added",
    "chat.conversation.admin_removed",
    "chat.update.group_name",
    "chat.update.restrictions",
    "dm.sent",
    "dm.received",
    "dm.indicate_typing",
    "dm.read",
    "post.create",
    "post.delete",
    "post.mention.create",
    "post.reply.create",
    "post.quote.create",
    "post.repost.create",
    "like.create",
    "mute.mute",
    "mute.unmute",
    "block.block",
    "block.unblock",
]
# Private events need the filtered user's own user-context token with these scopes
# (docs.x.com/x-api/activity/introduction#event-privacy-and-authentication; the DM, like and
# chat scopes are not named there: the emulator asks for dm.read and like.read).
PRIVATE_SCOPES = {
    "like.create": "like.read",
    "broadcast.chat": "broadcast.read",
    "mute.mute": "mute.read",
    "mute.unmute": "mute.read",
    "block.block": "block.read",
    "block.unblock": "block.read",
    **{event: "tweet.read" for event in EVENT_TYPES if re.fullmatch(r"post\.\w+\.create", event)},
    **{event: "dm.read" for event in EVENT_TYPES if event.startswith(("dm.", "chat."))},
}
NO_FILTER = ("news.new",)  # filtered by keyword, not user_id

service = x.XService()


def _time(moment: float) -> str:
    """2026-07-24T21:23:23.000Z, as X dates posts and subscriptions (to the second)."""
    return iso(moment).removesuffix("Z") + ".000Z"


def _problem(status: int, detail: str) -> Abort:
    return Abort(x.problem(status, detail))


# --- webhooks ------------------------------------------------------------------------------


def _webhooks() -> dict[str, dict]:
    return STATE.table("x_webhooks")


def _webhook_json(hook: dict) -> dict:
    keys = ("created_at", "id", "url", "valid")
    return {key: hook[key] for key in keys}


def _crc(hook: dict, secret: str) -> None:
    """Run X's CRC GET against the webhook; it is valid only when the answer matches."""
    from emulator import webhooks  # imports this module

    outcome = webhooks._verify("x", {"url": hook["url"], "secret": secret}, CRC_TIMEOUT)
    hook["valid"], hook["reason"] = outcome["verified"], outcome["reason"]
    _sync_all()


def _route_deliveries() -> None:
    """Deliveries go to the newest valid webhook (`webhooks._deliver` sends to one URL)."""
    table = STATE.table("webhook_subscriptions")
    valid = [hook for hook in _webhooks().values() if hook["valid"]]
    if valid:
        hook = valid[-1]
        table["x"] = {
            "platform": "x",
            "url": hook["url"],
            "secret": hook["secret"],
            "verify_token": None,
            "verified": True,
            "webhook_id": hook["id"],
        }
    elif (table.get("x") or {}).get("webhook_id"):
        table.pop("x")


@service.route("POST", API + "/webhooks", "x.webhooks")
def create_webhook(req: Request) -> Response:
    app = x.authenticate_app(req)  # app-only Bearer (docs.x.com/x-api/webhooks/quickstart)
    url = req.json.get("url") if isinstance(req.json, dict) else None
    if not isinstance(url, str) or not 1 <= len(url) <= WEBHOOK_URL_MAX:
        raise x.bad_request(f"url is required, at most {WEBHOOK_URL_MAX} characters.")
    parts = urlsplit(url)
    # "Webhook URL must use HTTPS" and "cannot include a port" (docs.x.com/x-api/webhooks/
    # introduction); the emulator also takes plain http on loopback, where tests and local
    # mode listen without TLS.
    loopback = parts.hostname in LOOPBACK and parts.scheme in ("http", "https")
    if not loopback and (parts.scheme != "https" or parts.port is not None or not parts.hostname):
        raise x.bad_request("UrlValidationFailed: the URL must be https, without a port.")
    # Reason names from docs.x.com/x-api/webhooks/quickstart ("DuplicateUrlFailed").
    if any(hook["url"] == url for hook in _webhooks().values()):
        raise x.bad_request("DuplicateUrlFailed: a webhook with this URL already exists.")
    hook = {
        "id": str(1_970_000_000_000_000_000 + inbox.number("x_webhook")),
        "url": url,
        "created_at": _time(STATE.now()),
        "secret": app["secret"],
    }
    _crc(hook, app["secret"])
    if not hook["valid"]:  # no webhook is created when the first CRC fails (same page)
        raise x.bad_request(f"CrcValidationFailed: {hook['reason']}")
    _webhooks()[hook["id"]] = hook
    _route_deliveries()
    return json_response({"data": _webhook_json(hook)})


@service.route("GET", API + "/webhooks", "x.webhooks")
def list_webhooks(req: Request) -> Response:
    x.authenticate_app(req)
    hooks = [_webhook_json(hook) for hook in _webhooks().values()]
    return json_response({"data": hooks, "meta": {"result_count": len(hooks)}})


def _webhook(req: Request) -> dict:
    hook = _webhooks().get(req.params["id"])
    if hook is None:
        raise _problem(404, f"Could not find webhook with id: [{req.params['id']}].")
    return hook


@service.route("PUT", API + r"/webhooks/(?P<id>\d+)", "x.webhooks")
def validate_webhook(req: Request) -> Response:
    """Runs the CRC again; a passing check re-enables the webhook (webhooks quickstart)."""
    app = x.authenticate_app(req)
    hook = _webhook(req)
    _crc(hook, app["secret"])
    _route_deliveries()
    return json_response({"data": {"valid": hook["valid"]}})


@service.route("DELETE", API + r"/webhooks/(?P<id>\d+)", "x.webhooks")
def delete_webhook(req: Request) -> Response:
    x.authenticate_app(req)
    _webhooks().pop(_webhook(req)["id"])
    _sync_all()
    _route_deliveries()
    return json_response({"data": {"deleted": True}})


# --- X Activity API subscriptions -------------------------------------------------------------


def _subscriptions() -> dict[str, dict]:
    return STATE.table("x_activity_subscriptions")


def _sync(user_id: str) -> None:
    """Record which event types reach a webhook for this user (`subscriptions.covers`): only
    subscriptions with a valid webhook_id deliver to one (docs.x.com/x-api/activity/quickstart)."""
    valid = {hook["id"] for hook in _webhooks().values() if hook["valid"]}
    fields = [
        sub["event_type"]
        for sub in _subscriptions().values()
        if sub["filter"].get("user_id") == user_id and sub.get("webhook_id") in valid
    ]
    if fields:
        subscriptions.subscribe("x", user_id, fields)
    else:
        subscriptions.unsubscribe("x", user_id)


def _sync_all() -> None:
    users = {sub["filter"].get("user_id") for sub in _subscriptions().values()}
    recorded = STATE.table("account_subscriptions")
    users |= {entry["account_id"] for key, entry in recorded.items() if key[0] == "x"}
    for user_id in users - {None}:
        _sync(user_id)


def _meta() -> dict:
    return {"total_subscriptions": len(_subscriptions())}


def _subscription_json(sub: dict) -> dict:
    return {key: value for key, value in sub.items() if value is not None}


def _create_auth(req: Request, event_type: str, user_id: str | None) -> None:
    """Private events need the filtered user's own OAuth 2.0 token with the event's scope;
    public ones take an app-only or user token (introduction#event-privacy-and-authentication)."""
    token = STATE.token("x", req.bearer_token())
    if token is None:
        x.authenticate_app(req)
        if event_type in PRIVATE_SCOPES:
            raise _problem(403, f"{event_type} is a private event: use the user's OAuth 2.0 token.")
        return
    if token.status(STATE.now()) != "ok":
        raise _problem(401, "Unauthorized")
    if event_type in PRIVATE_SCOPES:
        if user_id != token.user_id:
            detail = "Private events can only be subscribed for the user who authorized the app."
            raise _problem(403, detail)
        x.require_scopes(token, PRIVATE_SCOPES[event_type])


def _check_webhook_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in _webhooks():
        raise x.bad_request("WebhookIdInvalid: webhook_id is not a webhook of this app.")
    return value


@service.route("POST", API + "/activity/subscriptions", "x.activity_subscriptions")
def create_subscription(req: Request) -> Response:
    body = req.json if isinstance(req.json, dict) else {}
    event_type, wanted = body.get("event_type"), body.get("filter")
    if event_type not in EVENT_TYPES or not isinstance(wanted, dict):
        raise x.bad_request("event_type (a supported event) and filter are required.")
    user_id = wanted.get("user_id")
    if event_type not in NO_FILTER and not isinstance(user_id, str):
        raise x.bad_request(f"filter.user_id is required for {event_type}.")
    _create_auth(req, event_type, user_id)
    webhook_id = _check_webhook_id(body.get("webhook_id"))
    table = _subscriptions()
    if any(s["event_type"] == event_type and s["filter"] == wanted for s in table.values()):
        raise x.bad_request("DuplicateSubscriptionFailed: this subscription already exists.")
    plan = str(STATE.knob("x", "api_plan"))
    limit = PLAN_SUBSCRIPTIONS.get(plan, PLAN_SUBSCRIPTIONS["self_serve"])
    if len(table) >= limit:  # introduction#subscription-limits
        raise x.bad_request(f"SubscriptionLimitExceeded: the {plan} plan allows {limit}.")
    now = _time(STATE.now())
    sub = {
        "subscription_id": str(1_976_000_000_000_000_000 + inbox.number("x_subscription")),
        "event_type": event_type,
        "filter": wanted,
        "created_at": now,
        "updated_at": now,
        "tag": body.get("tag") if isinstance(body.get("tag"), str) else None,
        "webhook_id": webhook_id,
    }
    table[sub["subscription_id"]] = sub
    if isinstance(user_id, str):
        _sync(user_id)
    return json_response({"data": _subscription_json(sub)})


@service.route("GET", API + "/activity/subscriptions", "x.activity_subscriptions")
def list_subscriptions(req: Request) -> Response:
    x.authenticate_app(req)
    raw = req.query.get("max_results") or "100"
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:  # openapi.json: 1-1000
        raise x.bad_request("max_results must be between 1 and 1000.")
    subs = list(_subscriptions().values())
    start = 0
    if cursor := req.query.get("pagination_token"):
        if not cursor.isdigit() or int(cursor) > len(subs):
            raise x.bad_request("pagination_token is invalid.")
        start = int(cursor)
    page = subs[start : start + int(raw)]
    meta = _meta()
    if start + int(raw) < len(subs):
        meta["next_token"] = str(start + int(raw)).zfill(16)
    return json_response({"data": [_subscription_json(s) for s in page], "meta": meta})


def _subscription(req: Request) -> dict:
    sub = _subscriptions().get(req.params["id"])
    if sub is None:
        raise _problem(404, f"Could not find subscription with id: [{req.params['id']}].")
    return sub


@service.route("PUT", API + r"/activity/subscriptions/(?P<id>\d+)", "x.activity_subscriptions")
def update_subscription(req: Request) -> Response:
    """Only tag and webhook_id change (UpdateActivitySubscriptionRequest,
    additionalProperties false)."""
    x.authenticate_app(req)
    sub = _subscription(req)
    body = req.json if isinstance(req.json, dict) else None
    if body is None or set(body) - {"tag", "webhook_id"}:
        raise x.bad_request("Only tag and webhook_id can be updated.")
    if "webhook_id" in body:
        sub["webhook_id"] = _check_webhook_id(body["webhook_id"])
    if isinstance(body.get("tag"), str):
        sub["tag"] = body["tag"]
    sub["updated_at"] = _time(STATE.now())
    if isinstance(sub["filter"].get("user_id"), str):
        _sync(sub["filter"]["user_id"])
    return json_response({"data": _subscription_json(sub), "meta": _meta()})


@service.route("DELETE", API + r"/activity/subscriptions/(?P<id>\d+)", "x.activity_subscriptions")
def delete_subscription(req: Request) -> Response:
    x.authenticate_app(req)
    sub = _subscriptions().pop(_subscription(req)["subscription_id"])
    if isinstance(sub["filter"].get("user_id"), str):
        _sync(sub["filter"]["user_id"])
    return json_response({"data": {"deleted": True}, "meta": _meta()})


# --- inbound events ------------------------------------------------------------------------


def _v2_user(user_id: str, name: str, handle: str, req: Request) -> dict:
    return {
        "id": user_id,
        "name": name,
        "username": handle,
        "profile_image_url": req.avatar_url(handle),
        "protected": False,
        "verified": False,
        "verified_type": "none",
    }


def _dm_event_id() -> str:
    return str(1_650_000_000_000_000_000 + inbox.number("x_dm_event"))


def _envelope(account: User, event_type: str, payload: dict, **rest: dict) -> dict:
    """The X Activity delivery (docs.x.com/x-api/activity/event-payloads, "Event envelope"):
    `tag` is the subscription's, when it set one."""
    uuid = str(2_080_000_000_000_000_000 + inbox.number("x_event"))
    data: dict = {"event_uuid": uuid, "filter": {"user_id": account.id}, "event_type": event_type}
    for sub in _subscriptions().values():
        if (sub["event_type"], sub["filter"].get("user_id")) == (event_type, account.id):
            data["tag"] = sub.get("tag")
    return {"data": {**{k: v for k, v in data.items() if v}, "payload": payload, **rest}}


def _mentions(text: str, account: User) -> list[dict]:
    return [
        {"start": m.start(), "end": m.end(), "username": account.handle, "id": account.id}
        for m in re.finditer(rf"@{re.escape(account.handle)}\b", text, re.IGNORECASE)
    ]


def _cut(text: str) -> str:
    """The `text` of a long post: what fits in 280 weighted characters; the whole text is in
    note_tweet (docs.x.com/x-api/fundamentals/data-dictionary, "note_tweet")."""
    from emulator.x_publish import MAX_WEIGHTED_LENGTH, weighted_length

    end = len(text)
    while weighted_length(text[:end]) > MAX_WEIGHTED_LENGTH:
        end -= 1
    return text[:end]


def _dm(req: Request, account: User, sender: dict, handle: str, text: str, now: float) -> Event:
    event_id = _dm_event_id()
    dm = {
        "type": "message_create",
        "id": event_id,
        "created_timestamp": str(int(now * 1000)),
        "message_create": {
            "target": {"recipient_id": account.id},
            "sender_id": sender["id"],
            "message_data": {
                "text": text,
                "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
            },
        },
    }
    # dm.received: direct_message_events + a users map, each user under .data (event-payloads).
    users = {
        sender["id"]: {"data": _v2_user(sender["id"], sender["name"], handle, req)},
        account.id: {"data": _v2_user(account.id, account.name, account.handle, req)},
    }
    payload = {"direct_message_events": [dm], "users": users}
    body = _envelope(account, "dm.received", payload)
    return Event(
        event_id,
        "x",
        "x",
        "message",
        account.id,
        sender,
        text,
        now,
        body=body,
        subscriber=account.id,
        subscription_field="dm.received",
    )


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A DM to, or a reply/mention of, an X user, as an X Activity event (dm.received,
    post.reply.create or post.mention.create) delivered only when the user subscribed to it.
    Raises ValueError for a malformed description."""
    account = STATE.user("x", str(payload.get("account_id") or ""))
    if account is None:
        raise ValueError("account_id must be an X user id the emulator holds")
    now = STATE.now()
    handle = slug(sender["name"]) or sender["id"]
    if payload.get("kind") == "message":
        return _dm(req, account, sender, handle, text, now)
    target = None
    if payload.get("post_id") is not None:
        target = STATE.find_post("x", str(payload["post_id"]))
        if target is None or target.account_id != account.id:
            raise ValueError("post_id must be a post of that X user")
    prefix = f"@{account.handle} "
    # A reply's text starts with the @handle it answers (event-payloads: post.reply.create,
    # its display_text_range starting after it); post.mention.create fires only for explicit
    # @mentions in the body (introduction): either way the text names the account.
    named = text.lower().startswith(prefix.lower()) if target else _mentions(text, account)
    if not named:
        text = prefix + text
    tweet_id = STATE.next_id("x_post")
    conversation = target.details["conversation_id"] if target else tweet_id
    STATE.add_post(
        Post(
            platform="x",
            network="x",
            account_id=sender["id"],
            id=tweet_id,
            kind="reply" if target else "post",
            text=text,
            created_at=now,
            permalink=f"https://x.com/{handle}/status/{tweet_id}",
            details={
                "in_reply_to_tweet_id": target.id if target else None,
                "in_reply_to_user_id": account.id if target else None,
                "conversation_id": conversation,
                "inbound": True,
            },
        )
    )
    # A v2 Post (event-payloads: post.reply.create, post.mention.create).
    post: dict = {
        "id": tweet_id,
        "text": text,
        "author_id": sender["id"],
        "created_at": _time(now),
        "conversation_id": conversation,
        "edit_history_tweet_ids": [tweet_id],
        "lang": "en",
        "reply_settings": "everyone",
        "display_text_range": [len(prefix) if target else 0, len(text)],
    }
    if mentions := _mentions(text, account):
        post["entities"] = {"mentions": mentions}
    if target:
        post["in_reply_to_user_id"] = account.id
        post["referenced_tweets"] = [{"type": "replied_to", "id": target.id}]
    if (cut := _cut(text)) != text:
        post["text"] = cut
        post["note_tweet"] = {"text": text}
    event_type = "post.reply.create" if target else "post.mention.create"
    includes = {"users": [_v2_user(sender["id"], sender["name"], handle, req)]}
    body = _envelope(account, event_type, post, includes=includes)
    return Event(
        tweet_id,
        "x",
        "x",
        "comment",
        account.id,
        sender,
        text,
        now,
        target.id if target else None,
        body,
        subscriber=account.id,
        subscription_field=event_type,
    )


def reply_posts() -> list[dict]:
    """The product's posts answering an inbound reply or mention, as `/_control/replies`
    entries."""
    inbound_ids = {event.id for event in inbox.events().values() if event.network == "x"}
    return [
        {
            "platform": "x",
            "network": "x",
            "kind": "reply_post",
            "account_id": post.account_id,
            "id": post.id,
            "text": post.text,
            "recipient": inbox.events()[post.details["in_reply_to_tweet_id"]].sender["id"],
            "in_reply_to": post.details["in_reply_to_tweet_id"],
            "sent_time": iso(post.created_at),
            "sent_at": post.created_at,
        }
        for post in STATE.posts
        if post.network == "x" and post.details.get("in_reply_to_tweet_id") in inbound_ids
    ]


@service.route("POST", API + r"/dm_conversations/with/(?P<participant>\d+)/messages", "x.dm_send")
def send_dm(req: Request) -> Response:
    token = x.authenticate(req)
    x.require_scopes(token, "dm.read", "dm.write", "tweet.read", "users.read")
    body = req.json
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        raise x.bad_request("text is required.")
    if len(text) > DM_TEXT_LIMIT:
        raise x.bad_request(f"text must be at most {DM_TEXT_LIMIT} characters.")
    participant = req.params["participant"]
    last = inbox.latest_message({"x"}, {token.user_id}, participant)
    if last is None:
        raise Abort(x.problem(403, "You cannot send messages to this user."))
    low, high = sorted((participant, token.user_id), key=int)
    conversation = f"{low}-{high}"
    event_id = _dm_event_id()
    inbox.record_reply(
        "x",
        "x",
        "message",
        token.user_id,
        id=event_id,
        text=text,
        recipient=participant,
        in_reply_to=last.id,
        dm_conversation_id=conversation,
    )
    data = {"dm_conversation_id": conversation, "dm_event_id": event_id}
    return json_response({"data": data}, 201)
