"""Whether a conversation can be answered now, and how: each platform's rules, checked before
anything is sent.

Meta (developers.facebook.com/docs/messenger-platform/policy): a standard reply within 24
hours of the person's last message; up to 7 days only with the HUMAN_AGENT tag, for a reply a
person typed; never after. X direct messages have no window; comment replies have none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from connections.models import ConnectedAccount
from connections.platforms import Platform

from .access import feature_for
from .models import Conversation

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

# Characters a reply may have, per platform and kind (the platforms' documented limits).
MAX_LENGTH = {
    (Platform.FACEBOOK, "message"): 2000,
    (Platform.FACEBOOK, "comment"): 8000,
    (Platform.INSTAGRAM, "message"): 1000,
    (Platform.INSTAGRAM, "comment"): 2200,
    (Platform.X, "message"): 10000,
    (Platform.X, "comment"): 280,
    (Platform.YOUTUBE, "comment"): 10000,
}


@dataclass(frozen=True)
class ReplyRule:
    allowed: bool
    reason: str = ""
    messaging_type: str = ""
    tag: str = ""
    max_length: int = 0
    closes_at: datetime | None = None

    @property
    def human_agent(self) -> bool:
        return self.tag == "HUMAN_AGENT"


def reply_rule(conversation: Conversation, now: datetime | None = None) -> ReplyRule:
    account: ConnectedAccount = conversation.account
    now = now or timezone.now()
    if account.status != ConnectedAccount.Status.ACTIVE:
        return ReplyRule(False, f"{account.display_name} needs reconnecting before you can reply.")
    feature = feature_for(account, conversation.kind)
    if feature is None or not feature.reply:
        return ReplyRule(False, feature.detail if feature else "Replies are not available here.")
    limit = MAX_LENGTH.get((account.platform, conversation.kind), 2000)
    meta_message = (
        account.platform in (Platform.FACEBOOK, Platform.INSTAGRAM)
        and conversation.kind == Conversation.Kind.MESSAGE
    )
    if not meta_message:
        return ReplyRule(True, max_length=limit)
    if conversation.last_inbound_at is None:
        return ReplyRule(False, "Meta lets a business message only people who wrote first.")
    since = now - conversation.last_inbound_at
    if since <= STANDARD_WINDOW:
        return ReplyRule(
            True,
            messaging_type="RESPONSE",
            max_length=limit,
            closes_at=conversation.last_inbound_at + STANDARD_WINDOW,
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
            max_length=limit,
            closes_at=conversation.last_inbound_at + HUMAN_AGENT_WINDOW,
        )
    return ReplyRule(
        False,
        "More than 7 days since their last message: Meta allows no reply until they write again.",
    )
