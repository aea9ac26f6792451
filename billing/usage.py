"""A workspace's usage against its plan, for the billing page and the over-limit notices.

Each count comes from the app that owns the data, through the very function that app's
enforcement uses (connections.limits, accounts.limits, publishing.limits, assistant.drafts:
AI requests this month, one credit each), so the page can
never show room the creation would refuse. Limits are the effective ones (mixora.limits:
the plan after the access policy)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.text import capfirst

from accounts.limits import seats_in_use
from assistant.drafts import requests_this_month, this_month
from connections.limits import accounts_in_use
from mixora import limits
from publishing.limits import scheduled_this_month

if TYPE_CHECKING:
    from accounts.models import Workspace


@dataclass(frozen=True)
class UsageLine:
    """One limit of the plan. A feature line (`feature=True`, e.g. the inbox) has no count:
    `enabled` says whether the plan includes it."""

    name: str  # a mixora.limits name
    label: str
    used: int
    limit: int | None  # None: unlimited
    feature: bool = False
    enabled: bool = True
    note: str = ""  # said under a full line instead of the over-limit warning

    @property
    def percent(self) -> int:
        """How full, 0-100 (for a bar); an unlimited line is never full."""
        if self.feature or self.limit is None:
            return 0
        if self.limit == 0:
            return 100 if self.used else 0
        return min(100, round(self.used * 100 / self.limit))

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit

    @property
    def at_limit(self) -> bool:
        return self.limit is not None and self.used >= self.limit


# Counted limits, in the order the billing page shows them, each with what removes one (AI
# credits used are spent: nothing to remove, new requests wait for next month or an upgrade).
_COUNTED = (
    (limits.SOCIAL_ACCOUNTS, accounts_in_use, "disconnect"),
    (limits.MEMBERS, seats_in_use, "remove"),
    (limits.SCHEDULED_POSTS_MONTH, scheduled_this_month, "unschedule"),
    (limits.AI_CREDITS_MONTH, requests_this_month, ""),
)
_REMEDY = {name: verb for name, _count, verb in _COUNTED if verb}


def usage(workspace: Workspace) -> list[UsageLine]:
    granted = limits.entitlements(workspace)
    lines = [
        _with_ai_note(
            workspace,
            UsageLine(
                name=name,
                label=capfirst(limits.LABELS[name]),
                used=count(workspace),
                limit=granted.limit(name),
            ),
        )
        for name, count, _verb in _COUNTED
    ]
    lines.append(
        UsageLine(
            name=limits.INBOX,
            label="Unified inbox",
            used=0,
            limit=None,
            feature=True,
            enabled=limits.INBOX in granted.features,
        )
    )
    return lines


def _with_ai_note(workspace: Workspace, line: UsageLine) -> UsageLine:
    """A full AI line says when credits come back (the first of next month, in the workspace's
    time zone, as assistant.drafts counts them)."""
    if line.name != limits.AI_CREDITS_MONTH or not line.at_limit:
        return line
    renews = (this_month(workspace) + timedelta(days=32)).replace(day=1)
    return replace(
        line, note=f"All used: new AI drafts can be made from {renews:%-d %B}, or upgrade."
    )


def over_limit_lines(workspace: Workspace) -> list[str]:
    """What an owner must remove to be back within the plan, one sentence per limit passed,
    e.g. "3 connected social accounts over your Free plan's 2: disconnect 1 or upgrade." """
    plan = limits.entitlements(workspace).plan_name
    return [
        f"{line.used} {limits.LABELS[line.name]} over your {plan} plan's {line.limit}: "
        f"{_REMEDY[line.name]} {line.used - line.limit} or upgrade."
        for line in usage(workspace)
        if line.over and line.limit is not None and line.name in _REMEDY
    ]
