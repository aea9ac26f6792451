"""Meta's inbox side (platform-apis.md §1.5, §2.4, §3.4, §3.5): inbound Page and Instagram
messages and comments as webhook bodies, the Send API with its messaging windows, and comment
replies.

The Send API answers only a person who wrote first: a standard reply (`RESPONSE`, `UPDATE`)
within 24 hours of their last message, `MESSAGE_TAG` + `HUMAN_AGENT` within 7 days; later →
code 10 subcode 2018278.
"""

from __future__ import annotations

import json

from emulator import graph, inbox, meta
from emulator.graph import GRAPH, arg, graph_error, invalid, text_arg
from emulator.inbox import DAY, Event
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
        return event
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
    return Event(comment_id, "meta", network, "comment", account, sender, text, now, post.id, body)


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
