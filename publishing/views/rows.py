"""What the scheduling pages show of each post's targets, made in Python: an icon, an account
name and a state per target, on up to 336 posts (issue 15)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.safestring import SafeString

from mixora.templatetags.rows import platform_icon_svg

from ..calendar_posts import Target
from ..models import PostTarget

STATE_LABELS = dict(PostTarget.State.choices)


@dataclass(frozen=True)
class Mark:
    """One target: its account's icon and name, its state."""

    account: str  # "Instagram: Name", as str(account) gives it
    platform: str
    state: str
    state_label: str
    icon: SafeString


def marks(targets: Iterable[Target]) -> list[Mark]:
    return [
        Mark(
            t.account,
            t.platform,
            t.state,
            STATE_LABELS.get(t.state, t.state),
            platform_icon_svg(t.platform),
        )
        for t in targets
    ]
