"""LinkedIn's Organization Social Action Notifications: the app's webhook (set in the
Developer Portal; `/_control/webhooks/subscribe` stands in for the portal), the per-member,
per-organisation event subscriptions (`/rest/eventSubscriptions/{key}`) and the notification
a member's comment sends.

Docs (L = https://learn.microsoft.com/en-us/linkedin):
- OSAN = L/marketing/community-management/organizations/organization-social-action-notifications
- WV = L/shared/api-guide/webhook-validation
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable

from emulator import inbox, subscriptions
from emulator.linkedin import ORG, PERSON, REST, administered, error, illegal, rest, service
from emulator.posts import Post
from emulator.server import Request, Response, with_query
from emulator.state import STATE

EVENT_TYPE = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"
APP = "urn:li:developerApplication:"
# "rw_organization_admin" is the one permission OSAN lists for subscribing.
SUBSCRIBE_SCOPES = {"rw_organization_admin"}
# The compound key, its URN values decoded (Rest.li protocol 2.0 encodes them; OSAN sample).
KEY = re.compile(
    r"\(developerApplication:(?P<app>[^,()]+),user:(?P<user>[^,()]+),"
    r"entity:(?P<entity>[^,()]+),eventType:(?P<event_type>[A-Z_]+)\)"
)
# WV: "Return both the challengeCode and challengeResponse ... within 3 seconds".
CHALLENGE_SECONDS = 3.0


def _table() -> dict[tuple[str, str, str], dict]:
    """(app, member, organisation) -> {"webhook"}: one event type is emulated."""
    return STATE.table("linkedin_event_subscriptions")


def webhook() -> dict | None:
    return STATE.table("webhook_subscriptions").get("linkedin")


# --- the Developer Portal's Webhooks tab ------------------------------------------------------


def portal_app(payload: dict) -> dict:
    """The app a webhook is registered on: {client_id, app_id}. Raises ValueError."""
    client_id, app_id = payload.get("client_id"), payload.get("app_id")
    if not isinstance(client_id, str) or not client_id:
        raise ValueError("client_id (the LinkedIn app's) is required for linkedin")
    if not isinstance(app_id, str) or not app_id.isdigit():
        raise ValueError("app_id (the LinkedIn app's numeric id) is required for linkedin")
    # The portal validates with the app's own clientSecret (WV).
    if not STATE.client_secret_ok("linkedin", client_id, str(payload.get("secret") or "")):
        raise ValueError("secret is not this LinkedIn app's client secret")
    return {"client_id": client_id, "app_id": app_id}


def challenge_response(secret: str, code: str) -> str:
    # WV: challengeResponse = Hex-encoded(HMACSHA256(challengeCode, clientSecret)).
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def validate(
    url: str, secret: str, timeout: float, call: Callable[..., tuple[int | None, bytes, str | None]]
) -> dict:
    """WV's handshake: GET url?challengeCode=<type-4 UUID>, answered 200 with JSON
    {challengeCode, challengeResponse} within 3 s. The outcome (verified, status, reason)."""
    code = str(uuid.uuid4())
    status, body, failed = call(
        "GET", with_query(url, {"challengeCode": code}), min(timeout, CHALLENGE_SECONDS)
    )
    try:
        answer = json.loads(body)
        ok = status == 200 and answer.get("challengeResponse") == challenge_response(secret, code)
    except (ValueError, AttributeError):
        ok = False
    # WV: the failure message when the answer does not check out.
    reason = None if ok else (failed or "This URL did not pass the security challenge check")
    return {"verified": ok, "status": status, "reason": reason}


def signature(secret: str, body: bytes) -> dict[str, str]:
    # WV: X-LI-Signature is the HMACSHA256 of the POST body prefixed by "hmacsha256=",
    # computed with the app's clientSecret (hex: as the challengeResponse).
    digest = hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    return {"X-LI-Signature": digest}


# --- /rest/eventSubscriptions ----------------------------------------------------------------

SUBSCRIPTION = REST + r"/eventSubscriptions/(?P<key>\(.*\))"


def _key(req: Request, resource: str) -> tuple[str, str, str]:
    """(app, member, organisation) of a call the token may make on this key."""
    token, ver = rest(req, resource, SUBSCRIBE_SCOPES)
    match = KEY.fullmatch(req.params["key"])
    if match is None or match["event_type"] != EVENT_TYPE:
        raise illegal("Resource method could not be resolved from request parameters.")
    app, user, entity = match["app"], match["user"], match["entity"]
    hook = webhook()
    # OSAN: notifications go to the app's registered and validated webhook; ASSUMPTION: an
    # app without one cannot subscribe (no documented error body).
    if hook is None or hook["client_id"] != token.client_id or not hook["verified"]:
        raise illegal("The application has no registered and validated webhook")
    # ASSUMPTION: the key's application must be the token's (no documented error body).
    if app != f"{APP}{hook['app_id']}":
        raise error(403, f"{app} is not the application of this token", "ACCESS_DENIED", 100)
    # OSAN Security: "Subscriptions must be authorized ... by each member who is receiving
    # notifications" — the key's member is the token's.
    if user != f"{PERSON}{token.user_id}":
        raise error(403, f"{user} is not the authenticated member", "ACCESS_DENIED", 100)
    # OSAN Permissions: restricted to organizations where the member is an ADMINISTRATOR.
    administered(token, entity, resource, ver)
    return app, user, entity.removeprefix(ORG)


def _mirror(org_id: str) -> None:
    """The shared subscription store holds the organisation while any member subscribes it."""
    members = sorted(user for (_, user, org), _ in _table().items() if org == org_id)
    if members:
        subscriptions.subscribe("linkedin", org_id, [EVENT_TYPE], members=members)
    else:
        subscriptions.unsubscribe("linkedin", org_id)


@service.route("PUT", SUBSCRIPTION, "linkedin.event_subscription_put")
def put_subscription(req: Request) -> Response:
    app, user, org_id = _key(req, "eventSubscriptions.UPDATE")
    body = req.json if isinstance(req.json, dict) else {}
    # OSAN: "your webhook must be registered and validated" to receive notifications.
    # ASSUMPTION: a subscription naming another URL is refused (no documented body).
    if body.get("webhook") != webhook()["url"]:
        raise illegal(f"/webhook {body.get('webhook')} is not a validated webhook of {app}")
    _table()[(app, user, org_id)] = {"webhook": body["webhook"]}
    _mirror(org_id)
    # ASSUMPTION: Rest.li's UPDATE answers 204 with no body.
    return Response(204, b"", {})


@service.route("DELETE", SUBSCRIPTION, "linkedin.event_subscription_delete")
def delete_subscription(req: Request) -> Response:
    app, user, org_id = _key(req, "eventSubscriptions.DELETE")
    if _table().pop((app, user, org_id), None) is None:
        raise error(404, "Subscription not found", "NOT_FOUND")  # ASSUMPTION: Rest.li's 404
    _mirror(org_id)
    return Response(204, b"", {})  # Rest.li's DELETE: 204, no body


# --- the notification ------------------------------------------------------------------------


def comment_notification(post: Post, urn: str, actor: str, text: str, at: float) -> dict | None:
    """The webhook body of a member's comment, or None where LinkedIn sends none."""
    # OSAN: "Webhook events for LIKE, COMMENT, and SHARE actions are only triggered for posts
    # with visibility set to PUBLIC."
    if post.details["visibility"] != "PUBLIC":
        return None
    activity = post.details["activity"]
    org = post.details["author"]
    number = urn.removeprefix("urn:li:comment:(").removesuffix(")").rpartition(",")[2]
    members = (subscriptions.subscription("linkedin", org.removeprefix(ORG)) or {}).get("members")
    notifications = [
        # One per subscribed member (the `subscriber`); fields as in the OBSERVED sample
        # (tests/contracts/linkedin/webhook_org_social_action_comment_notification.json).
        {
            "subscriber": member,
            "lastModifiedAt": int(at * 1000),
            "decoratedSourcePost": {
                "owner": org,
                # ASSUMPTION: NONE (observed) for text posts, the post kind otherwise.
                "mediaCategory": "NONE" if post.kind == "TEXT" else post.kind,
                "text": post.text,
                "entity": post.id,
            },
            "sourcePost": activity,
            "decoratedGeneratedActivity": {
                "comment": {"owner": actor, "text": text, "entity": urn, "object": activity}
            },
            "action": "COMMENT",
            "notificationId": 5_600_000_000 + inbox.number("linkedin_notification"),
            "organizationalEntity": org,
            # OBSERVED: the short form urn:li:comment:(activity:X,ID).
            "generatedActivity": f"urn:li:comment:({activity.removeprefix('urn:li:')},{number})",
        }
        for member in members or []
    ]
    # OSAN: batched by event type, up to 10 a batch; envelope {type, notifications}.
    return {"type": EVENT_TYPE, "notifications": notifications[:10]}
