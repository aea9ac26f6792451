"""A workspace's subscription in plain words, for the billing page, the banner and the emails.

Everything here reads the mirrored BillingAccount (what Stripe last told us), never a
redirect. Dates are formatted in the active time zone: workspace pages run in the
workspace's zone, and the notices switch to it before rendering."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import dateformat, timezone

from .entitlements import access_state, effective_plan, grace_ends
from .models import BillingAccount, Plan, SubscriptionStatus


def day(value: datetime) -> str:
    """ "3 May 2026", in the active time zone."""
    return dateformat.format(timezone.localtime(value), "j F Y")


def money(cents: int, currency: str) -> str:
    """ "$19" or "€4.50": whole amounts without decimals."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency.lower(), "")
    amount = f"{cents / 100:,.2f}".removesuffix(".00")
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def plan_price(plan: Plan, interval: str) -> str:
    """ "$19/month", "$190/year", or "Free"."""
    cents = plan.price_yearly if interval == "year" else plan.price_monthly
    if not cents:
        return "Free"
    return f"{money(cents, plan.currency)}/{'year' if interval == 'year' else 'month'}"


def read_only_since(account: BillingAccount) -> datetime | None:
    if account.past_due_since is not None:
        return grace_ends(account)
    if account.status == SubscriptionStatus.PAUSED:
        return account.trial_end  # paused: a trial ended without a payment method
    return None


def over_limit_deadline(account: BillingAccount) -> datetime | None:
    """When extra social accounts pause if the workspace is still over its plan."""
    if account.over_limit_since is None:
        return None
    return account.over_limit_since + timedelta(days=settings.OVER_LIMIT_GRACE_DAYS)


@dataclass(frozen=True)
class Standing:
    """Where a workspace stands: the plan it gets now, a short label for a pill, its tone
    (ok, info, warn, error, muted) and one or two sentences."""

    plan: Plan
    label: str
    tone: str
    detail: str
    access: str  # billing.entitlements.access_state: full, grace, read_only, free


def standing(account: BillingAccount, now: datetime | None = None) -> Standing:
    now = now or timezone.now()
    plan = effective_plan(account)
    access = access_state(account)
    status = account.status
    if access == "read_only":
        since = read_only_since(account)
        when = f" since {day(since)}" if since else ""
        return Standing(
            plan,
            "Read-only",
            "error",
            f"Read-only{when}: the last payment did not go through. Nothing is lost; pay the "
            "open invoice or update the card to restore full access at once.",
            access,
        )
    if access == "grace":
        deadline = grace_ends(account)
        by = f" by {day(deadline)}" if deadline else ""
        return Standing(
            plan,
            "Payment failed",
            "warn",
            f"Payment failed — update your card{by} to keep full access. After that the "
            "workspace becomes read-only until the invoice is paid.",
            access,
        )
    if status == SubscriptionStatus.TRIALING and account.trial_end:
        days = max(0, math.ceil((account.trial_end - now).total_seconds() / 86400))
        ends = f"Trial ends in {days} day{'' if days == 1 else 's'} ({day(account.trial_end)})"
        if account.cancel_at_period_end:
            return Standing(
                plan, "Canceling", "warn", f"{ends}; canceling on {day(account.trial_end)}.", access
            )
        then = plan_price(plan, account.interval)
        return Standing(plan, "Trial", "info", f"{ends}, then {then}.", access)
    if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        end = account.current_period_end
        if account.cancel_at_period_end and end:
            return Standing(
                plan,
                "Canceling",
                "warn",
                f"Canceling on {day(end)}. {plan.name} stays on until then; after that the "
                "workspace moves to Free and nothing is deleted.",
                access,
            )
        renews = f"Renews on {day(end)} at {plan_price(plan, account.interval)}." if end else ""
        return Standing(plan, "Active", "ok", renews, access)
    return Standing(plan, "Free", "muted", "You are on the Free plan.", access)


def _count(value: int | None, one: str, many: str) -> str:
    if value is None:
        return f"Unlimited {many}"
    return f"{value} {one if value == 1 else many}"


def plan_features(plan: Plan) -> list[str]:
    """What a plan includes, as the plan cards list it."""
    return [
        _count(plan.max_social_accounts, "social account", "social accounts"),
        _count(plan.max_members, "team member", "team members"),
        _count(plan.max_scheduled_posts_month, "scheduled post a month", "scheduled posts a month"),
        "Unified inbox" if plan.inbox_enabled else "No unified inbox",
        "No AI drafts"
        if plan.ai_credits_month == 0
        else _count(plan.ai_credits_month, "AI draft a month", "AI drafts a month"),
    ]


def yearly_saving(plans: list[Plan]) -> int:
    """The best whole-percent saving of yearly over monthly billing among paid plans (0: none)."""
    savings = [
        round(100 - plan.price_yearly * 100 / (plan.price_monthly * 12))
        for plan in plans
        if plan.price_monthly and plan.price_yearly
    ]
    return max(savings, default=0)


def plan_cards(
    plans: list[Plan], account: BillingAccount, current: Plan, interval: str, *, subscribed: bool
) -> list[dict[str, Any]]:
    """The billing page's plan cards for `interval` ("month" or "year")."""
    cards = []
    for plan in plans:
        yearly = interval == "year"
        price = plan.stripe_price_yearly if yearly else plan.stripe_price_monthly
        cards.append(
            {
                "plan": plan,
                "amount": money(plan.price_yearly if yearly else plan.price_monthly, plan.currency),
                "per_month": (
                    money(round(plan.price_yearly / 12), plan.currency)
                    if yearly and plan.price_yearly
                    else ""
                ),
                "features": plan_features(plan),
                "current": plan.pk == current.pk
                and (plan.is_free or not subscribed or account.interval == interval),
                "offered": plan.is_free or bool(price),
                # A trial only for a workspace that never had one (Checkout checks Stripe too).
                "trial": plan.trial_days if account.trial_end is None and not subscribed else 0,
            }
        )
    return cards
