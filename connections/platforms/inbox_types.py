"""What one inbound message or comment looks like once a platform's payload is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class InboundItem:
    platform: str  # the ConnectedAccount platform: facebook, instagram, x, youtube
    account_external_id: str
    kind: str  # Conversation.Kind: "message" or "comment"
    thread_key: str
    external_id: str
    participant_id: str
    text: str
    sent_at: datetime
    participant_name: str = ""
    participant_handle: str = ""
    participant_avatar_url: str = ""
    external_post_id: str = ""
    # The platform id this answers (a comment reply's parent, a post replied to): a thread
    # that already holds that id is where this belongs.
    reply_to_external_id: str = ""
    # Written by the connected account itself (from another app, or an echo of ours).
    from_account: bool = False
    attachment_urls: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def from_millis(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)


def from_seconds(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)), tz=UTC)


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
