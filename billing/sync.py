"""Mirroring a workspace's subscription from Stripe, the source of truth for money.

`sync_subscription` reads the customer's current subscription from the API (never a webhook
payload, so events arriving twice or out of order cannot leave an older state behind) and
copies the few fields Mixora needs: status, plan (from the item's price), interval, period end
(on the item: API 2026-10-28 has no top-level period), trial end, the cancel flag, since when a
payment is overdue, and the subscription's invoices."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .grace import settle
from .models import BillingAccount, Invoice, Plan, SubscriptionStatus
from .plans import free_plan
from .stripe_client import client, stripe_call

if TYPE_CHECKING:
    from accounts.models import Workspace

log = logging.getLogger(__name__)

# A subscription in one of these is the workspace's current one (A5: checkout sends these to
# the portal instead of starting a second subscription).
LIVE = frozenset(
    {
        SubscriptionStatus.TRIALING,
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.PAST_DUE,
        SubscriptionStatus.UNPAID,
        SubscriptionStatus.PAUSED,
    }
)
# Over for good: the workspace is back on Free.
ENDED = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED})
OVERDUE = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID})
INVOICES_MIRRORED = 24  # the newest ones per sync; older ones stay as last mirrored


def sync_subscription(account: BillingAccount) -> BillingAccount:
    """Re-read the account's subscription and invoices from Stripe and store them. The row is
    locked meanwhile, so two syncs apply one after the other, each with what Stripe said last.
    Raises BillingUnavailable when Stripe cannot answer (nothing changes then)."""
    with transaction.atomic():
        locked = (
            BillingAccount.objects.select_for_update()
            .select_related("plan", "workspace")
            .get(pk=account.pk)
        )
        with stripe_call("read this workspace's subscription"):
            subscription = _current_subscription(locked)
            invoices = _invoices(subscription) if subscription else []
        if subscription is not None:
            _mirror(locked, subscription, invoices)
        for invoice in invoices:
            upsert_invoice(locked.workspace, invoice)
        locked.synced_at = timezone.now()
        locked.save()
        # Over (or back within) the plan's limits now: the grace starts or ends, paused accounts
        # resume. After the commit, as it locks the workspace before the account.
        transaction.on_commit(partial(settle, locked.workspace), robust=True)
    return locked


def cancel_now(account: BillingAccount) -> None:
    """End the account's subscription at once, without proration (its workspace was deleted:
    nothing more is charged). The webhook that follows mirrors it."""
    if account.status in ENDED or not account.stripe_subscription_id:
        return
    with stripe_call("cancel the subscription"):
        client().v1.subscriptions.cancel(
            account.stripe_subscription_id,
            options={"idempotency_key": f"cancel-{account.stripe_subscription_id}"},
        )


def _current_subscription(account: BillingAccount) -> dict[str, Any] | None:
    """The customer's live subscription, else its newest one (whatever the events said)."""
    api = client().v1
    if account.stripe_customer_id:
        listed = api.subscriptions.list(
            params={"customer": account.stripe_customer_id, "status": "all", "limit": 20}
        )
        found = [sub.to_dict(for_json=True) for sub in listed.data]
        if found:
            return max(found, key=lambda sub: (sub["status"] in LIVE, sub["created"]))
    if account.stripe_subscription_id:
        return api.subscriptions.retrieve(account.stripe_subscription_id).to_dict(for_json=True)
    return None


def _invoices(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    listed = client().v1.invoices.list(
        params={"subscription": subscription["id"], "limit": INVOICES_MIRRORED}
    )
    return [invoice.to_dict(for_json=True) for invoice in listed.data]


def _mirror(
    account: BillingAccount, subscription: dict[str, Any], invoices: list[dict[str, Any]]
) -> None:
    status = subscription["status"]
    if status not in SubscriptionStatus.values:
        log.warning("subscription %s has an unknown status %r", subscription["id"], status)
        return
    item = subscription["items"]["data"][0]
    price = item["price"]
    account.stripe_subscription_id = subscription["id"]
    account.status = status
    account.interval = (price.get("recurring") or {}).get("interval", "")
    account.current_period_end = _moment(item.get("current_period_end"))
    account.trial_end = _moment(subscription.get("trial_end"))
    # Canceling at the period's end: the flag, or (newer portals) cancel_at set on a live one.
    account.cancel_at_period_end = status not in ENDED and bool(
        subscription.get("cancel_at_period_end") or subscription.get("cancel_at")
    )
    if status in ENDED:
        account.plan = free_plan()
    else:
        plan = plan_for_price(price)
        if plan is None:
            log.error("price %s of subscription %s is no plan", price["id"], subscription["id"])
        else:
            account.plan = plan
    if status in OVERDUE:
        account.past_due_since = account.past_due_since or _failed_since(invoices)
    else:
        account.past_due_since = None


def plan_for_price(price: dict[str, Any]) -> Plan | None:
    """The plan selling this price: by stored price id, else by its lookup key ("pro_yearly")."""
    plan = Plan.objects.filter(
        Q(stripe_price_monthly=price["id"]) | Q(stripe_price_yearly=price["id"])
    ).first()
    if plan is None and price.get("lookup_key"):
        plan = Plan.objects.filter(code=price["lookup_key"].rsplit("_", 1)[0]).first()
    return plan


def _failed_since(invoices: list[dict[str, Any]]) -> datetime:
    """When the oldest unpaid, already attempted invoice was created (never in our future:
    Stripe's test clock may run ahead)."""
    now = timezone.now()
    created = [
        _moment(invoice["created"])
        for invoice in invoices
        if invoice.get("status") == "open" and invoice.get("attempt_count")
    ]
    return min([now, *[moment for moment in created if moment]])


def upsert_invoice(workspace: Workspace, invoice: dict[str, Any]) -> Invoice | None:
    """Store Stripe's invoice for the workspace (insert or update by Stripe id). An invoice
    already stored for another workspace is left alone (None)."""
    taxes = invoice.get("total_taxes") or []
    fields = {
        "number": invoice.get("number") or "",
        "status": invoice.get("status") or "",
        "amount_due": invoice.get("amount_due") or 0,
        "amount_paid": invoice.get("amount_paid") or 0,
        "total_taxes": taxes if isinstance(taxes, int) else sum(t["amount"] for t in taxes),
        "currency": invoice.get("currency") or "usd",
        "hosted_invoice_url": invoice.get("hosted_invoice_url") or "",
        "invoice_pdf": invoice.get("invoice_pdf") or "",
        "period_start": _moment(invoice.get("period_start")),
        "period_end": _moment(invoice.get("period_end")),
        "attempt_count": invoice.get("attempt_count") or 0,
        "created": _moment(invoice["created"]),
    }
    stored = Invoice.objects.filter(stripe_invoice_id=invoice["id"]).first()
    if stored is not None and stored.workspace_id != workspace.pk:
        log.error(
            "invoice %s belongs to workspace %s, not %s",
            invoice["id"],
            stored.workspace_id,
            workspace.pk,
        )
        return None
    stored, _ = Invoice.objects.update_or_create(
        stripe_invoice_id=invoice["id"], defaults={"workspace": workspace, **fields}
    )
    return stored


def _moment(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None
