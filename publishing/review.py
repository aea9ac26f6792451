"""What an approver decides on, and the proof that it is still that.

The review page shows what each account will receive (its caption or the shared text, its
options, the media) and carries `content_version`, a digest of all of it; approving or sending
back a post whose content changed since the page was opened is refused, so a decision applies
to exactly what the person saw."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from connections.models import ConnectedAccount
from connections.platforms.registry import network_for

from .models import Post, PostTarget


def content_version(post: Post) -> str:
    """A digest of everything a decision covers: text, time, each account's caption and
    options, and the media in order."""
    content = {
        "text": post.text,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "targets": [
            [account_id, caption, options]
            for account_id, caption, options in post.targets.order_by("account_id").values_list(
                "account_id", "caption", "options"
            )
        ],
        "media": list(
            post.attachments.order_by("position", "id").values_list(
                "media_id", "media__size", "media__file"
            )
        ),
    }
    encoded = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


@dataclass(frozen=True)
class Receives:
    """What one account will receive, as the review page shows it."""

    account: ConnectedAccount
    target: PostTarget
    text: str
    own_caption: bool
    options: list[tuple[str, str]]


def what_each_account_receives(post: Post, targets: list[PostTarget]) -> list[Receives]:
    return [
        Receives(
            account=target.account,
            target=target,
            text=target.caption or post.text,
            own_caption=bool(target.caption),
            options=network_for(target.account).describe_options(target.options),
        )
        for target in targets
    ]
