"""X direct messages, replies and mentions: what this deployment's X API plan allows, the X
Activity API subscriptions that bring them, and the calls that answer
(docs.x.com/x-api/direct-messages, docs.x.com/x-api/posts, docs.x.com/x-api/activity)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...models import ConnectedAccount
from ...services import call_with_refresh
from ..network import EventsStatus, Feature, ReplyTarget, missing_scopes, scoped_feature
from . import activity
from .events import DM_EVENTS, POST_EVENTS

if TYPE_CHECKING:
    from .connector import XConnector

DM_SCOPES = ("dm.read", "dm.write")


def plan_full_detail() -> str:
    capacity = activity.inbox_capacity()
    label = activity.PLAN_LABELS[activity.plan()]
    return (
        f"Mixora's X plan ({label}) allows {capacity} accounts with an inbox, and all of them "
        "are in use: direct messages, replies and mentions of this account are not received."
    )


def plan_is_full(account: ConnectedAccount) -> bool:
    """Whether every inbox the plan allows is taken by other X users of this deployment. X
    keeps one set of subscriptions per user, shared by every workspace that connected it."""
    receiving = ConnectedAccount.objects.filter(
        platform=account.platform, details__events__receiving=True
    )
    if (account.events or {}).get("receiving") or receiving.filter(
        external_id=account.external_id
    ).exists():
        return False  # its subscriptions exist already
    users = receiving.order_by().values("external_id").distinct().count()
    return users >= activity.inbox_capacity()


def _shared(account: ConnectedAccount) -> bool:
    """Whether the X user is connected in another workspace too (its events fan out there)."""
    return (
        ConnectedAccount.objects.filter(platform=account.platform, external_id=account.external_id)
        .exclude(pk=account.pk)
        .exists()
    )


def features(account: ConnectedAccount) -> list[Feature]:
    if plan_is_full(account):
        detail = plan_full_detail()
        return [
            Feature("message", "Direct messages", False, False, detail),
            Feature("comment", "Replies and mentions", False, False, detail),
        ]
    dm_missing = missing_scopes(account, *DM_SCOPES)
    dm_detail = (
        f"Reconnect and allow {', '.join(dm_missing)} to read and answer direct messages."
        if dm_missing
        else "Arrives in real time."
    )
    return [
        Feature("message", "Direct messages", not dm_missing, not dm_missing, dm_detail),
        scoped_feature(account, "comment", "Replies and mentions", "tweet.write"),
    ]


def start(client: XConnector, account: ConnectedAccount) -> EventsStatus:
    """Subscribe the account to its mentions, replies and (with the DM scope) direct messages,
    unless the plan's inboxes are all taken."""
    if plan_is_full(account):
        return EventsStatus(False, plan_full_detail())
    with_dms = not missing_scopes(account, "dm.read")
    events = POST_EVENTS + (DM_EVENTS if with_dms else ())
    if not activity.subscribe(client, account, events):
        return EventsStatus(
            False,
            "Subscribed at X, but Mixora's X webhook is not registered yet: run "
            "`manage.py register_webhooks`.",
        )
    if not with_dms:
        return EventsStatus(
            True, "X sends mentions and replies; reconnect and allow dm.read for direct messages."
        )
    return EventsStatus(True, "X sends mentions, replies and direct messages as they happen.")


def stop(client: XConnector, account: ConnectedAccount) -> None:
    """Delete the account's subscriptions, unless another workspace still needs them."""
    if not _shared(account):
        activity.unsubscribe(client, account)


def mentions(text: str, handle: str) -> bool:
    """Whether the text @mentions the handle (X handles are letters, digits and _)."""
    name = handle.lstrip("@")
    return bool(name) and re.search(rf"(?<![\w@])@{re.escape(name)}(?!\w)", text, re.I) is not None


def send(client: XConnector, account: ConnectedAccount, target: ReplyTarget) -> str:
    def call() -> str:
        token = account.access_token
        if target.thread.kind == "message":
            path = f"/2/dm_conversations/with/{target.thread.participant_id}/messages"
            body = client.api("POST", path, token, json={"text": target.text})
            return str(body["data"]["dm_event_id"])
        answering = target.thread.last_inbound_id or target.thread.thread_key
        body = {"text": target.text, "reply": {"in_reply_to_tweet_id": answering}}
        return str(client.api("POST", "/2/tweets", token, json=body)["data"]["id"])

    return call_with_refresh(account, call)
