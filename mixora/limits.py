"""What a workspace may do under its plan, asked where things are created. The lower apps
(accounts, connections, publishing, inbox) call `require`, `allows` or `entitlements`; the
billing app answers by registering a provider (billing/entitlements.py), so no lower app
imports billing. Without a provider (billing not installed) everything is allowed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mixora.errors import UserFacingError

if TYPE_CHECKING:
    from accounts.models import Workspace

# The limits a plan sets; each counted by the app that creates the thing.
SOCIAL_ACCOUNTS = "social_accounts"
MEMBERS = "members"  # members plus pending invitations
SCHEDULED_POSTS_MONTH = "scheduled_posts_month"
AI_CREDITS_MONTH = "ai_credits_month"
# Features a plan turns on or off.
INBOX = "inbox"

LABELS = {
    SOCIAL_ACCOUNTS: "connected social accounts",
    MEMBERS: "team members and pending invitations",
    SCHEDULED_POSTS_MONTH: "scheduled posts this month",
    AI_CREDITS_MONTH: "AI drafts this month",
}


@dataclass(frozen=True)
class Entitlements:
    plan_name: str
    limits: dict[str, int | None] = field(default_factory=dict)  # None: unlimited
    features: frozenset[str] = frozenset({INBOX})
    read_only: str = ""  # why the workspace can't change anything now ("" when it can)
    upgrade_url: str = ""

    def limit(self, name: str) -> int | None:
        return self.limits.get(name)


UNLIMITED = Entitlements(plan_name="Unlimited")


class PlanLimitExceeded(UserFacingError):
    def __init__(self, message: str, upgrade_url: str = "") -> None:
        super().__init__(message)
        self.upgrade_url = upgrade_url


class ReadOnlyWorkspace(UserFacingError):
    pass


_provider: Callable[[Workspace], Entitlements] | None = None
_read_only_provider: Callable[[Sequence[Workspace]], dict[int, str]] | None = None


def register(
    provider: Callable[[Workspace], Entitlements],
    read_only: Callable[[Sequence[Workspace]], dict[int, str]] | None = None,
) -> None:
    """`provider` answers for one workspace; `read_only`, if given, says which of many are
    read-only at once (the publisher asks it of every batch)."""
    global _provider, _read_only_provider
    _provider, _read_only_provider = provider, read_only


def entitlements(workspace: Workspace) -> Entitlements:
    return _provider(workspace) if _provider is not None else UNLIMITED


def read_only_reasons(workspaces: Sequence[Workspace]) -> dict[int, str]:
    """`entitlements(workspace).read_only` of each workspace, by id."""
    if _read_only_provider is not None:
        return _read_only_provider(workspaces)
    return {workspace.pk: entitlements(workspace).read_only for workspace in workspaces}


def require(workspace: Workspace, name: str, *, in_use: int, adding: int = 1) -> None:
    """Refuse (PlanLimitExceeded) when `adding` more would pass the plan's limit. Call it in the
    creating transaction, after locking the workspace row, with `in_use` counted there."""
    granted = entitlements(workspace)
    if granted.read_only:
        raise ReadOnlyWorkspace(granted.read_only)
    limit = granted.limit(name)
    if limit is not None and in_use + adding > limit:
        raise PlanLimitExceeded(
            f"Your {granted.plan_name} plan includes {limit} {LABELS.get(name, name)} and "
            f"{in_use} {'is' if in_use == 1 else 'are'} in use: upgrade to add more.",
            granted.upgrade_url,
        )


def allows(workspace: Workspace, feature: str) -> bool:
    return feature in entitlements(workspace).features
