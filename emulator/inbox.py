"""The inbox's shared state: what customers sent to the connected accounts (inbound events,
added through `/_control/inbound`) and what the product answered (replies).

Both live in `STATE.work`, so a reset clears them; their ids come from counters that restart
on reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.posts import iso
from emulator.state import STATE

DAY = 86_400.0


@dataclass
class Event:
    """One inbound message or comment, as the platform saw it arrive."""

    id: str
    platform: str  # meta, x, google
    network: str  # facebook, instagram, x, youtube
    kind: str  # "message" or "comment"
    account_id: str  # the page, Instagram account, X user or YouTube channel addressed
    sender: dict  # {"id", "name"}
    text: str
    created_at: float
    post_id: str | None = None  # comments: the post (video, media) commented on
    body: dict | None = None  # the webhook delivery (meta and x); None: only polled
    deliveries: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)  # meta messages: as in the webhook
    # Who must be subscribed, to which field, for the platform to deliver this event (a Meta
    # Page for its own and its Instagram account's events; an X user). Empty: no gate.
    subscriber: str = ""
    subscription_field: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "platform": self.platform,
            "network": self.network,
            "kind": self.kind,
            "account_id": self.account_id,
            "from": self.sender,
            "text": self.text,
            "attachments": self.attachments,
            "post_id": self.post_id,
            "created_time": iso(self.created_at),
            "webhook": self.body,
            "deliveries": self.deliveries,
        }


def number(kind: str) -> int:
    """The next number of an inbox id kind (1, 2, …; restarts on reset)."""
    key = f"inbox:{kind}"
    STATE.counters[key] = STATE.counters.get(key, 0) + 1
    return STATE.counters[key]


def events() -> dict[str, Event]:
    """Every inbound event by id, oldest first."""
    return STATE.table("inbox_events")


def add_event(event: Event) -> Event:
    events()[event.id] = event
    return event


def latest_message(networks: set[str], accounts: set[str], sender_id: str) -> Event | None:
    """The customer's last message to one of these accounts, or None."""
    found = [
        event
        for event in events().values()
        if event.kind == "message"
        and event.network in networks
        and event.account_id in accounts
        and event.sender["id"] == sender_id
    ]
    return max(found, key=lambda event: event.created_at, default=None)


def find_comment(network: str, comment_id: str) -> Event | None:
    event = events().get(comment_id)
    return event if event and event.kind == "comment" and event.network == network else None


def record_reply(
    platform: str, network: str, kind: str, account_id: str, **details: object
) -> dict:
    """Keep what the product sent (`GET /_control/replies`); `details` holds its id, text,
    recipient, in_reply_to, messaging_type, tag as they apply."""
    reply = {
        "platform": platform,
        "network": network,
        "kind": kind,
        "account_id": account_id,
        **details,
        "sent_time": iso(STATE.now()),
        "sent_at": STATE.now(),
    }
    STATE.table("inbox_replies")[str(len(STATE.table("inbox_replies")))] = reply
    return reply


def replies() -> list[dict]:
    """What the product sent, oldest first."""
    return list(STATE.table("inbox_replies").values())
