"""Billing records in exports and deletion.

Billing belongs to workspaces, not people: a person's export holds the plan, status and
invoices of the workspaces they own. No billing field names a person, except Stripe's raw
events (a checkout or invoice event carries the billing contact's name and email): those
naming a deleted person's address are cut down to their id and type at once, and every event
is deleted 90 days after processing (retention table). A deleted workspace stops paying: its
subscription is canceled at Stripe."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.dispatch import receiver

from accounts.models import User, Workspace
from accounts.roles import Role
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    handles,
    keeps,
    person_deleted,
    values,
    workspace_deleted,
)

from .models import BillingAccount, Invoice, StripeEvent
from .stripe_client import BillingUnavailable
from .sync import cancel_now

log = logging.getLogger(__name__)


@export_section(990, models=("billing.BillingAccount", "billing.Invoice"))
def billing(user: User, files: FileSink) -> Section:
    owned = BillingAccount.objects.filter(
        workspace__memberships__user=user, workspace__memberships__role=Role.OWNER
    ).select_related("workspace", "plan")

    def records() -> Iterator[dict[str, Any]]:
        for account in owned.order_by("pk"):
            yield {
                "workspace_name": account.workspace.name,
                "plan": account.plan.name,
                "status": account.get_status_display(),
                "billing_interval": account.interval,
                "current_period_end": account.current_period_end,
                "cancel_at_period_end": account.cancel_at_period_end,
                "trial_end": account.trial_end,
                "invoices": list(
                    values(
                        Invoice.objects.filter(workspace=account.workspace).order_by("created"),
                        "number",
                        "created",
                        "status",
                        "amount_due",
                        "amount_paid",
                        "total_taxes",
                        "currency",
                        "hosted_invoice_url",
                        "invoice_pdf",
                    )
                ),
            }

    return Section(
        "billing.json",
        "Billing records of the workspaces you own: the plan, the subscription's status and "
        "its invoices (number, date, amounts in cents, status, and links to the invoice and "
        "its PDF on Stripe's pages). Card details are never stored by Mixora: our payment "
        "processor, Stripe, holds them.",
        {"records": records()},
    )


keeps(
    "billing.Plan",
    ("name",),
    reason="the name of a plan Mixora sells, never a person's",
    period="as long as the plan exists",
)
handles(
    "billing.StripeEvent",
    ("payload",),
    "events naming the person's email address are cut down to their id and type at once; "
    "all are deleted 90 days after processing",
)


@receiver(person_deleted, dispatch_uid="billing.person_deleted")
def forget_in_stripe_events(sender: Any, user: User, email: str, **kwargs: Any) -> None:
    naming = StripeEvent.objects.alias(text=Cast("payload", TextField())).filter(
        text__icontains=email
    )
    for event in naming.only("event_id", "type"):
        event.payload = {"id": event.event_id, "type": event.type, "redacted": True}
        event.save(update_fields=["payload"])


@receiver(workspace_deleted, dispatch_uid="billing.workspace_deleted")
def stop_paying(sender: Any, workspace: Workspace, now: datetime, **kwargs: Any) -> None:
    account = BillingAccount.objects.filter(workspace=workspace).first()
    if account is not None:
        transaction.on_commit(lambda: _cancel(account))


def _cancel(account: BillingAccount) -> None:
    try:
        cancel_now(account)
    except BillingUnavailable:  # the nightly reconcile cancels it
        log.exception("could not cancel the subscription of deleted workspace %s", account.pk)
