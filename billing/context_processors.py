from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.roles import Capability

from .entitlements import grace_ends, read_only_reason
from .models import BillingAccount
from .status import day, over_limit_deadline, standing
from .usage import over_limit_lines


@dataclass(frozen=True)
class Banner:
    tone: str  # warn or error
    title: str
    text: str
    lines: tuple[str, ...] = ()  # what to remove, for those who can act on it
    action: str = ""  # the button's words; shown to owners only


def _banner(request: HttpRequest) -> Banner | None:
    workspace = request.workspace  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    # Read only: a page view never creates the billing row (billing_account does).
    account = BillingAccount.objects.filter(workspace=workspace).select_related("plan").first()
    if account is None:
        return None
    owner = membership.can(Capability.MANAGE_BILLING)
    now = standing(account)
    if now.access == "read_only":
        return Banner(
            "error",
            "This workspace is read-only",
            read_only_reason(account) + ("" if owner else " Ask an owner to pay the invoice."),
            action="Update payment" if owner else "",
        )
    if now.access == "grace":
        deadline = grace_ends(account)
        by = f" by {day(deadline)}" if deadline else ""
        who = "Update the card" if owner else "An owner needs to update the card"
        return Banner(
            "warn",
            "Payment failed",
            f"{who}{by} to keep full access; after that the workspace becomes read-only until "
            "the invoice is paid. Nothing is lost.",
            action="Update card" if owner else "",
        )
    if account.over_limit_since is not None:
        lines = over_limit_lines(workspace)
        if not lines:
            return None  # already back within the plan; the grace task clears the date
        deadline = over_limit_deadline(account)
        pause = (
            f" If it still is on {day(deadline)}, the newest extra social accounts pause."
            if deadline
            else ""
        )
        managers = membership.can(Capability.MANAGE_MEMBERS)
        return Banner(
            "warn",
            f"Over the {now.plan.name} plan's limits",
            "Nothing was deleted, but new ones are blocked until the workspace is back within "
            f"its plan.{pause}",
            lines=tuple(lines) if managers else (),
            action="See plans" if owner else "",
        )
    return None


def billing_banner(request: HttpRequest) -> dict[str, Any]:
    """`billing_banner` on workspace pages: payment failed (with the update-by date),
    read-only, or over the plan's limits after a downgrade. Lazy: one query on pages that show
    the app shell, none elsewhere."""
    if getattr(request, "workspace", None) is None or getattr(request, "membership", None) is None:
        return {}
    return {"billing_banner": SimpleLazyObject(lambda: _banner(request))}
