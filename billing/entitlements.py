"""The billing app's answer to mixora.limits: the effective limits of a workspace's plan
after the access policy (design A5), derived from the mirrored subscription status only:

- trialing, active: the plan ("full");
- past_due: the plan and a banner ("grace") for PAST_DUE_GRACE_DAYS after the payment failed,
  then read-only;
- unpaid, paused, incomplete: read-only until paid (nothing is deleted);
- canceled, incomplete_expired, none: the Free plan ("free").

No cache: one indexed query per question, so a sync (or a staff edit of a plan) counts at once.
Billing switched off (BILLING_ENABLED) or no plans seeded: nothing is sold, nothing limited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone

from mixora import limits

from .models import BillingAccount, Plan, SubscriptionStatus
from .plans import FREE, free_plan

if TYPE_CHECKING:
    from accounts.models import Workspace

FULL, GRACE, READ_ONLY, FREE_ACCESS = "full", "grace", "read_only", "free"


def grace_ends(account: BillingAccount) -> datetime | None:
    """When a past-due workspace turns read-only."""
    if account.past_due_since is None:
        return None
    return account.past_due_since + timedelta(days=settings.PAST_DUE_GRACE_DAYS)


def access_state(account: BillingAccount, now: datetime | None = None) -> str:
    """ "full", "grace" (past due: banner), "read_only" or "free"."""
    status = account.status
    if status in (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE):
        return FULL
    if status == SubscriptionStatus.PAST_DUE:
        ends = grace_ends(account)
        return READ_ONLY if ends is not None and (now or timezone.now()) >= ends else GRACE
    if status in (
        SubscriptionStatus.UNPAID,
        SubscriptionStatus.PAUSED,
        SubscriptionStatus.INCOMPLETE,
    ):
        return READ_ONLY
    return FREE_ACCESS


def effective_plan(account: BillingAccount) -> Plan:
    """The plan whose limits apply: the subscribed one while the subscription lives (read-only
    keeps its limits: nothing is over them), Free once it ended or never began."""
    return free_plan() if access_state(account) == FREE_ACCESS else account.plan


def read_only_reason(account: BillingAccount, now: datetime | None = None) -> str:
    """Why the workspace can't change anything, in plain words ("" when it can)."""
    if access_state(account, now) != READ_ONLY:
        return ""
    zone = ZoneInfo(account.workspace.timezone)
    status = account.status
    if status == SubscriptionStatus.PAUSED:
        ended = f" on {_day(account.trial_end, zone)}" if account.trial_end else ""
        return (
            f"The free trial ended{ended} without a payment method: this workspace is "
            "read-only until a card is added. Nothing is lost."
        )
    if status == SubscriptionStatus.INCOMPLETE:
        return (
            f"The first payment for the {account.plan.name} plan has not gone through: this "
            "workspace is read-only until it is paid. Nothing is lost."
        )
    failed = f" on {_day(account.past_due_since, zone)}" if account.past_due_since else ""
    return (
        f"Payment failed{failed}: this workspace is read-only until the invoice is paid. "
        "Nothing is lost."
    )


def entitlements(workspace: Workspace) -> limits.Entitlements:
    """The mixora.limits provider."""
    if not settings.BILLING_ENABLED:
        return limits.UNLIMITED
    account = BillingAccount.objects.select_related("plan").filter(workspace=workspace).first()
    if account is None:
        plan = Plan.objects.filter(code=FREE).first()
        if plan is None:  # no plans seeded: this deployment sells nothing
            return limits.UNLIMITED
        reason = ""
    else:
        account.workspace = workspace
        plan, reason = effective_plan(account), read_only_reason(account)
    return limits.Entitlements(
        plan_name=plan.name,
        limits={
            limits.SOCIAL_ACCOUNTS: plan.max_social_accounts,
            limits.MEMBERS: plan.max_members,
            limits.SCHEDULED_POSTS_MONTH: plan.max_scheduled_posts_month,
            limits.AI_CREDITS_MONTH: plan.ai_credits_month,
        },
        features=frozenset({limits.INBOX} if plan.inbox_enabled else ()),
        read_only=reason,
        upgrade_url=reverse("billing:page", kwargs={"slug": workspace.slug}),
    )


def read_only_reasons(workspaces: Sequence[Workspace]) -> dict[int, str]:
    """entitlements(workspace).read_only for many workspaces, with one query for all: only a
    billing account's status makes a workspace read-only."""
    reasons = {workspace.pk: "" for workspace in workspaces}
    if not settings.BILLING_ENABLED:
        return reasons
    by_id = {workspace.pk: workspace for workspace in workspaces}
    for account in BillingAccount.objects.select_related("plan").filter(workspace_id__in=by_id):
        account.workspace = by_id[account.workspace_id]
        reasons[account.workspace_id] = read_only_reason(account)
    return reasons


def _day(moment: datetime, zone: ZoneInfo) -> str:
    """ "3 May" this year, "3 May 2026" another year (in the workspace's time zone)."""
    local = timezone.localtime(moment, zone)
    same_year = local.year == timezone.localtime(timezone.now(), zone).year
    return dateformat.format(local, "j F" if same_year else "j F Y")


limits.register(entitlements, read_only_reasons)
