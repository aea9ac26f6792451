"""Earlier posts for the metrics tests, and what the emulator's engagement model says they end
up with (a post 30 days old has settled: its numbers are its lifetime totals)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from emulator import engagement
from emulator.posts import Post, parse_iso

DAY = 86_400


def earlier_post(
    emulator, network: str, account_id: str, *, age: float = 30 * DAY, **payload: object
) -> dict:
    """A post of the account made `age` seconds ago (by the emulator's clock, at offset 0)."""
    created = datetime.fromtimestamp(int(time.time() - age), UTC).isoformat()
    return emulator.control(
        "POST",
        "posts",
        {"network": network, "account_id": account_id, "created_time": created, **payload},
    )


def settled(post: dict) -> dict[str, int]:
    """The lifetime totals of a post as `/_control/posts` rendered it (the default model)."""
    return engagement.lifetime(
        Post(
            platform=post["platform"],
            network=post["network"],
            account_id=post["account_id"],
            id=post["id"],
            kind=post["kind"],
            text=post["text"],
            created_at=parse_iso(post["created_time"]),
            permalink=post["permalink"],
            details=post["details"],
        )
    )
