"""Facebook Page and Instagram conversations: what arrives, who may be answered and when, and
the calls that answer.

Windows (developers.facebook.com/docs/messenger-platform/policy): a standard reply within 24
hours of the person's last message; up to 7 days only with the HUMAN_AGENT tag, for a reply a
person typed; never after. Comment replies have no window."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ...services import call_with_refresh
from ..network import ReplyRule, ReplyTarget

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import MetaConnector

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


def message_rule(last_inbound_at: datetime | None, now: datetime, max_length: int) -> ReplyRule:
    """The Messenger / Instagram messaging window for a reply at `now`."""
    if last_inbound_at is None:
        return ReplyRule(False, "Meta lets a business message only people who wrote first.")
    since = now - last_inbound_at
    if since <= STANDARD_WINDOW:
        return ReplyRule(
            True,
            messaging_type="RESPONSE",
            max_length=max_length,
            closes_at=last_inbound_at + STANDARD_WINDOW,
        )
    if since <= HUMAN_AGENT_WINDOW:
        return ReplyRule(
            True,
            reason=(
                "More than 24 hours since their last message: Meta allows only a reply a person "
                "types, sent with the human agent tag, until 7 days have passed."
            ),
            messaging_type="MESSAGE_TAG",
            tag="HUMAN_AGENT",
            max_length=max_length,
            closes_at=last_inbound_at + HUMAN_AGENT_WINDOW,
        )
    return ReplyRule(
        False,
        "More than 7 days since their last message: Meta allows no reply until they write again.",
    )


def send(
    client: MetaConnector, account: ConnectedAccount, target: ReplyTarget, comment_edge: str
) -> str:
    """Send a message (Send API) or answer a comment; the platform's id for it."""

    def call() -> str:
        token = account.access_token
        if target.thread.kind == "message":
            form = {
                "recipient": json.dumps({"id": target.thread.participant_id}),
                "message": json.dumps({"text": target.text}),
                "messaging_type": target.messaging_type,
            }
            if target.tag:
                form["tag"] = target.tag
            return str(client.graph_post("me/messages", token, **form)["message_id"])
        # Replies attach to the top-level comment (a reply to a reply lands there anyway).
        path = f"{target.thread.thread_key}/{comment_edge}"
        return str(client.graph_post(path, token, message=target.text)["id"])

    return call_with_refresh(account, call)


def profile(
    client: MetaConnector, account: ConnectedAccount, person_id: str, fields: str
) -> dict[str, str]:
    """A Messenger or Instagram sender's public name and picture (User Profile API)."""
    body = call_with_refresh(
        account, lambda: client.graph_get(person_id, account.access_token, fields=fields)
    )
    return {
        "participant_name": str(body.get("name") or body.get("username") or ""),
        "participant_handle": str(body.get("username") or ""),
        "participant_avatar_url": str(body.get("profile_pic") or ""),
    }
