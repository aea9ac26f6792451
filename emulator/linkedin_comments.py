"""LinkedIn comments on an organisation's posts (Comments API, /rest/socialActions): what
members wrote (added through `/_control/inbound`: listed here, and notified to the app's
webhook for subscribed organisations, `linkedin_events`) and what the organisation answered.

Docs: learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api.
"""

from __future__ import annotations

from emulator import inbox, linkedin_events
from emulator.inbox import Event
from emulator.linkedin import (
    ORG,
    PERSON,
    READ_SCOPES,
    REST,
    WRITE_SCOPES,
    administered,
    error,
    find_organization,
    illegal,
    page_params,
    paged,
    render_fault,
    rest,
)
from emulator.linkedin_posts import find_post
from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE

service = Service("linkedin", render_fault)

COMMENTS = REST + r"/socialActions/(?P<target>urn:li:[^/]+)/comments"


def comment_urn(activity: str, number: int) -> str:
    """urn:li:comment:(urn:li:activity:X,ID), the composite comment URN (comments-api)."""
    return f"urn:li:comment:({activity},{7_320_000_000_000_000_000 + number})"


def _actor(sender_id: str) -> str:
    return sender_id if sender_id.startswith("urn:li:") else f"{PERSON}{sender_id}"


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A member's comment on one of the organisation's posts. Raises ValueError."""
    org = find_organization(str(payload.get("account_id") or ""))
    if org is None:
        raise ValueError("account_id must be a LinkedIn organization id the emulator holds")
    if payload.get("kind") != "comment":
        raise ValueError("LinkedIn pages have comments only, no messages")
    post = find_post(str(payload.get("post_id") or ""))
    if post is None or post.account_id != org.id:
        raise ValueError("post_id must be a post (urn:li:share:…) of that organization")
    urn = comment_urn(post.details["activity"], inbox.number("linkedin_comment"))
    now = STATE.now()
    event = Event(urn, "linkedin", "linkedin", "comment", org.id, sender, text, now, post.id)
    event.body = linkedin_events.comment_notification(post, urn, _actor(sender["id"]), text, now)
    # Sent only for organisations a member subscribed (organization-social-action-notifications).
    event.subscriber, event.subscription_field = org.id, linkedin_events.EVENT_TYPE
    return event


def _element(urn: str, actor: str, text: str, at: float, parent: str | None, replies: int) -> dict:
    """One comment as the list answers it (the observed fields of comments_list_response)."""
    activity, _, number = urn.removeprefix("urn:li:comment:(").removesuffix(")").rpartition(",")
    stamp = {"actor": actor, "time": int(at * 1000)}
    element = {
        "actor": actor,
        "created": stamp,
        "lastModified": stamp,
        "id": number,
        "$URN": urn,
        "message": {"attributes": [], "text": text},
        "object": activity,
        "commentsSummary": {
            "selectedComments": [],
            "totalFirstLevelComments": replies,
            "aggregatedTotalComments": replies,
        },
    }
    if parent:
        element["parentComment"] = parent
    return element


def _replies(post_id: str) -> list[dict]:
    return [r for r in inbox.replies() if r["network"] == "linkedin" and r["post"] == post_id]


def _comments_of(post_id: str, parent: str | None) -> list[dict]:
    """Comments on the post (parent None: first level) or answering `parent`, oldest first."""
    answers = _replies(post_id)
    found = [
        (e.created_at, e.id, _actor(e.sender["id"]), e.text, None)
        for e in inbox.events().values()
        if e.network == "linkedin" and e.post_id == post_id and parent is None
    ]
    found += [
        (r["sent_at"], r["id"], r["actor"], r["text"], r["in_reply_to"])
        for r in answers
        if r["in_reply_to"] == parent
    ]
    found.sort(key=lambda c: c[0])
    return [
        _element(urn, actor, text, at, up, sum(1 for r in answers if r["in_reply_to"] == urn))
        for at, urn, actor, text, up in found
    ]


def _known_comment(post_id: str, urn: str) -> bool:
    events = inbox.events()
    return (urn in events and events[urn].post_id == post_id) or any(
        r["id"] == urn for r in _replies(post_id)
    )


def _post_of(target: str) -> tuple[str, str | None]:
    """(post id, parent comment) a socialActions target names: a post or a comment."""
    if target.startswith("urn:li:comment:("):
        activity = target.removeprefix("urn:li:comment:(").rpartition(",")[0]
        post = find_post(activity)
        if post is None or not _known_comment(post.id, target):
            raise error(404, f"Comment {target} not found", "NOT_FOUND")
        return post.id, target
    post = find_post(target)
    if post is None:
        raise error(404, f"Post {target} not found", "NOT_FOUND")
    return post.id, None


@service.route("GET", COMMENTS, "linkedin.comments")
def list_comments(req: Request) -> Response:
    token, ver = rest(req, "socialActionsV2.GET_ALL", READ_SCOPES)
    post_id, parent = _post_of(req.params["target"])
    # r_organization_social: "Restricted to organizations in which the authenticated member
    # has one of the following company page roles" (comments-api).
    administered(token, find_post(post_id).details["author"], "socialActionsV2.GET_ALL", ver)
    start, count = page_params(req)
    return json_response(paged(_comments_of(post_id, parent), start, count))


@service.route("POST", COMMENTS, "linkedin.comments_create")
def create_comment(req: Request) -> Response:
    token, ver = rest(req, "socialActionsV2.CREATE", WRITE_SCOPES)
    post_id, target_parent = _post_of(req.params["target"])
    post = find_post(post_id)
    body = req.json if isinstance(req.json, dict) else {}
    actor, text = body.get("actor"), (body.get("message") or {}).get("text")
    if isinstance(actor, str) and actor.startswith(ORG):
        administered(token, actor, "socialActionsV2.CREATE", ver)
    elif actor != f"{PERSON}{token.user_id}":
        raise error(
            403, "actor must be the member or an organization they administer", "ACCESS_DENIED", 100
        )
    if body.get("object") not in (post.id, post.details["activity"]):
        raise illegal("/object must be the post the comment is on")
    if not isinstance(text, str) or not text:
        raise error(422, "/message/text :: field is required", "UNPROCESSABLE_ENTITY")
    if "content" in body:  # inline images are refused (comments-api notes)
        raise error(
            403, "Unpermitted fields present in REQUEST_BODY: [/content]", "ACCESS_DENIED", 100
        )
    parent = body.get("parentComment")
    # A nested comment names its parent and is posted to the parent's socialActions
    # (comments-api, "Create a comment on a comment").
    if parent != target_parent:
        raise illegal("/parentComment must be the comment the request is made on")
    # Threads are two levels deep: a reply answers a top-level comment (OBSERVED, Publora docs).
    if parent and any(r["id"] == parent and r["in_reply_to"] for r in _replies(post.id)):
        raise illegal("/parentComment must be a top-level comment")
    urn = comment_urn(post.details["activity"], inbox.number("linkedin_comment"))
    reply = inbox.record_reply(
        "linkedin",
        "linkedin",
        "comment_reply" if parent else "comment",
        post.account_id,
        id=urn,
        text=text,
        actor=actor,
        post=post.id,
        in_reply_to=parent,
        recipient=inbox.events()[parent].sender["id"] if parent in inbox.events() else None,
    )
    element = _element(urn, actor, text, reply["sent_at"], parent, 0)
    # 201; the id in x-restli-id and the comment echoed with its $URN (comments-api).
    return json_response(element, 201, {"x-restli-id": element["id"]})
