"""Putting a workspace on a plan for the limit tests: the seeded plans (billing.plans, without
Stripe) and the BillingAccount row a subscription sync would have mirrored."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import BillingAccount, Plan, SubscriptionStatus
from billing.plans import seed_plans


def plans() -> dict[str, Plan]:
    return {plan.code: plan for plan in seed_plans(with_stripe=False)}


def put_on(workspace: object, code: str, status: str = SubscriptionStatus.ACTIVE, **fields):
    """The workspace's account on plan `code` with `status` (Free: no subscription)."""
    plan = plans()[code]
    if code == "free":
        status = SubscriptionStatus.NONE
    account, _ = BillingAccount.objects.update_or_create(
        workspace=workspace, defaults={"plan": plan, "status": status, **fields}
    )
    return account


def make_read_only(workspace: object) -> BillingAccount:
    """Pro, its renewal failed longer ago than the past-due grace: read-only."""
    failed = timezone.now() - timedelta(days=settings.PAST_DUE_GRACE_DAYS, hours=1)
    return put_on(workspace, "pro", SubscriptionStatus.PAST_DUE, past_due_since=failed)


def pay(workspace: object) -> BillingAccount:
    """The invoice was paid: what the sync mirrors after invoice.paid."""
    return put_on(workspace, "pro", SubscriptionStatus.ACTIVE, past_due_since=None)
