"""Billing emails to a workspace's owners, each sent once.

Every notice claims a BillingNotice key first ("payment_failed:<invoice>:<attempt>", ...), in
the caller's transaction: a duplicate webhook or a retried task finds the key and sends
nothing, and a rolled-back transaction sends nothing either (mail goes after the commit).
They are transactional (about the service the owner pays for), so they go out without a
marketing opt-in. Owners also get the same line in the app's notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Capability
from notifications.services import notify_workspace

from .entitlements import grace_ends
from .models import BillingAccount, BillingNotice, Invoice
from .status import day, money, over_limit_deadline, plan_price


def _stamp(value: datetime | None) -> str:
    return str(int(value.timestamp())) if value else "none"


def _send(
    account: BillingAccount,
    key: str,
    template: str,
    message: str,
    context: dict[str, Any] | None = None,
) -> bool:
    """Claim `key` and notify the owners; False when it was already sent."""
    workspace = account.workspace
    with transaction.atomic():
        _notice, created = BillingNotice.objects.get_or_create(
            key=key[:200], defaults={"workspace": workspace}
        )
        if not created:
            return False
        notify_workspace(
            workspace,
            Capability.MANAGE_BILLING,
            message=message[:300],
            url=reverse("billing:page", args=[workspace.slug]),
            email_template=f"billing_{template}",
            context={"account": account, **(context or {})},
        )
    return True


def _in_workspace_zone(account: BillingAccount) -> timezone.override:
    # Dates in the emails read in the workspace's zone, as on its pages.
    return timezone.override(ZoneInfo(account.workspace.timezone))


def payment_failed(account: BillingAccount, invoice: Invoice) -> bool:
    """Dunning: once per invoice and attempt, with the hosted invoice link."""
    with _in_workspace_zone(account):
        deadline = grace_ends(account)
        by = day(deadline) if deadline else ""
        amount = money(invoice.amount_due, invoice.currency)
    name = account.workspace.name
    return _send(
        account,
        f"payment_failed:{invoice.stripe_invoice_id}:{invoice.attempt_count}",
        "payment_failed",
        f"Payment of {amount} for {name} failed"
        + (f": update your card by {by} to keep full access." if by else "."),
        {"invoice": invoice, "amount": amount, "update_by": by},
    )


def payment_action_required(account: BillingAccount, invoice: Invoice) -> bool:
    """The bank asks the cardholder to confirm (3-D Secure): the hosted invoice page does it."""
    amount = money(invoice.amount_due, invoice.currency)
    return _send(
        account,
        f"payment_action_required:{invoice.stripe_invoice_id}:{invoice.attempt_count}",
        "payment_action_required",
        f"Your bank asks you to confirm the payment of {amount} for {account.workspace.name}.",
        {"invoice": invoice, "amount": amount},
    )


def trial_will_end(account: BillingAccount) -> bool:
    if account.trial_end is None:
        return False
    with _in_workspace_zone(account):
        ends = day(account.trial_end)
    price = plan_price(account.plan, account.interval)
    return _send(
        account,
        f"trial_will_end:{account.stripe_subscription_id}:{_stamp(account.trial_end)}",
        "trial_will_end",
        f"The {account.plan.name} trial of {account.workspace.name} ends on {ends}.",
        {"ends": ends, "price": price},
    )


def renewal_reminder(account: BillingAccount) -> bool:
    if account.current_period_end is None:
        return False
    with _in_workspace_zone(account):
        renews = day(account.current_period_end)
    price = plan_price(account.plan, account.interval)
    return _send(
        account,
        f"renewal:{account.stripe_subscription_id}:{_stamp(account.current_period_end)}",
        "renewal_reminder",
        f"The {account.plan.name} plan of {account.workspace.name} renews on {renews} at {price}.",
        {"renews": renews, "price": price},
    )


def subscription_canceled(account: BillingAccount) -> bool:
    return _send(
        account,
        f"canceled:{account.stripe_subscription_id or account.workspace_id}",
        "subscription_canceled",
        f"The subscription of {account.workspace.name} has ended: it is on the Free plan now. "
        "Nothing was deleted.",
    )


def over_limit(account: BillingAccount, lines: list[str]) -> bool:
    """After a downgrade: what the owners should remove, and when extra accounts pause. Once
    per time the workspace goes over."""
    if not lines:
        return False
    with _in_workspace_zone(account):
        deadline = over_limit_deadline(account)
        pause_on = day(deadline) if deadline else ""
        since = account.over_limit_since or timezone.now()
    return _send(
        account,
        f"over_limit:{account.workspace_id}:{since.date().isoformat()}",
        "over_limit",
        f"{account.workspace.name} is over its plan's limits: {lines[0]}",
        {"lines": lines, "pause_on": pause_on},
    )
