"""X: posts, media, direct messages, replies and mentions (API v2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...models import ConnectedAccount
from .. import Platform
from ..network import Check, Feature, MediaFacts, Network, ReplyRule, ReplyTarget, Thread
from . import composer, inbox
from .connector import XConnector
from .webhooks import XWebhooks

# A direct message takes 10,000 characters (docs.x.com/x-api/direct-messages); a reply is a
# post, weighed as posts are.
DM_MAX_LENGTH = 10000


class XNetwork(Network):
    platform = Platform.X
    label = "X"
    demo_inbound = "x"
    demo_script = (
        ("message", "Chloé Martin", "My order #4411 hasn't arrived yet, can you check?"),
        ("comment", "Dev Patel", "Any discount code for students?"),
    )

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_x(text, media, options)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return inbox.features(account)

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        if thread.kind == "message":
            return ReplyRule(True, max_length=DM_MAX_LENGTH)
        return ReplyRule(True, max_length=composer.MAX_WEIGHTED, counter=composer.weighted_length)

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        return inbox.send(connector(), account, target)


def connector() -> XConnector:
    from ..registry import connector as by_provider

    return by_provider(XConnector.provider)  # type: ignore[return-value]


CONNECTOR = XConnector
NETWORKS = (XNetwork(),)
WEBHOOKS = (XWebhooks(),)
