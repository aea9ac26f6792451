"""X's inbox side (platform-apis.md §4.5): inbound DMs and replies/mentions as Account Activity
bodies, and the DM send endpoint.

An inbound reply is also kept as a post (by the customer), so the product can answer it with
`POST /2/tweets` `reply.in_reply_to_tweet_id`. A DM can only go to someone who has written to
the account (X answers 403 when the person does not accept DMs from it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import inbox, x
from emulator.inbox import Event
from emulator.posts import Post, iso
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, slug

API = r"/x-api/2"
DM_TEXT_LIMIT = 10_000

service = Service("x", x.render_fault, x.add_rate_headers)


def _dm_event_id() -> str:
    return str(1_650_000_000_000_000_000 + inbox.number("x_dm_event"))


def _legacy_time(moment: float) -> str:
    """Wed Oct 10 20:19:24 +0000 2018, the v1.1 `created_at` format."""
    return datetime.fromtimestamp(moment, UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _legacy_user(user_id: str, name: str, handle: str) -> dict:
    return {"id": user_id, "id_str": user_id, "name": name, "screen_name": handle}


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A DM to, or a reply/mention of, an X user, with its Account Activity body. Raises
    ValueError for a malformed description."""
    account = STATE.user("x", str(payload.get("account_id") or ""))
    if account is None:
        raise ValueError("account_id must be an X user id the emulator holds")
    now = STATE.now()
    handle = slug(sender["name"]) or sender["id"]
    users = {
        sender["id"]: _legacy_user(sender["id"], sender["name"], handle),
        account.id: _legacy_user(account.id, account.name, account.handle),
    }
    if payload.get("kind") == "message":
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
        body = {"for_user_id": account.id, "direct_message_events": [dm], "users": users}
        return Event(event_id, "x", "x", "message", account.id, sender, text, now, body=body)
    target = None
    if payload.get("post_id") is not None:
        target = STATE.find_post("x", str(payload["post_id"]))
        if target is None or target.account_id != account.id:
            raise ValueError("post_id must be a post of that X user")
    tweet_id = STATE.next_id("x_post")
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
                "conversation_id": target.details["conversation_id"] if target else tweet_id,
                "inbound": True,
            },
        )
    )
    tweet = {
        "created_at": _legacy_time(now),
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": text,
        "user": users[sender["id"]],
        "in_reply_to_status_id_str": target.id if target else None,
        "in_reply_to_user_id_str": account.id if target else None,
        "timestamp_ms": str(int(now * 1000)),
    }
    body = {"for_user_id": account.id, "tweet_create_events": [tweet]}
    post_id = target.id if target else None
    return Event(tweet_id, "x", "x", "comment", account.id, sender, text, now, post_id, body)


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
