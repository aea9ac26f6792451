"""X direct messages, replies and mentions: what this deployment's X API plan allows, and the
calls that answer (docs.x.com/x-api/direct-messages, docs.x.com/x-api/posts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from ...services import call_with_refresh
from ..network import Feature, ReplyTarget, missing_scopes, scoped_feature

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import XConnector

TIERS = ("free", "basic", "pro", "enterprise")


def tier_at_least(tier: str) -> bool:
    current = settings.X_API_TIER if settings.X_API_TIER in TIERS else "free"
    return TIERS.index(current) >= TIERS.index(tier)


def features(account: ConnectedAccount) -> list[Feature]:
    plan = settings.X_API_TIER
    if not tier_at_least("pro"):
        detail = (
            f"Mixora's X API plan ({plan}) has no Account Activity access: direct messages "
            "and mentions need the Pro plan or higher."
        )
        return [
            Feature("message", "Direct messages", False, False, detail),
            Feature("comment", "Replies and mentions", False, False, detail),
        ]
    dm_missing = missing_scopes(account, "dm.read", "dm.write")
    dm_detail = (
        f"Reconnect and allow {', '.join(dm_missing)} to read and answer direct messages."
        if dm_missing
        else "Arrives in real time."
    )
    return [
        Feature("message", "Direct messages", not dm_missing, not dm_missing, dm_detail),
        scoped_feature(account, "comment", "Replies and mentions", "tweet.write"),
    ]


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
