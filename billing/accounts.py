"""A workspace's billing account (one per workspace, on the Free plan until it subscribes)
and its Stripe Customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from .models import BillingAccount
from .plans import free_plan
from .stripe_client import client, stripe_call

if TYPE_CHECKING:
    from accounts.models import Workspace


def billing_account(workspace: Workspace) -> BillingAccount:
    """The workspace's account, created on the Free plan the first time it is asked for."""
    account = BillingAccount.objects.select_related("plan").filter(workspace=workspace).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return BillingAccount.objects.create(workspace=workspace, plan=free_plan())
    except IntegrityError:  # created meanwhile by a concurrent request
        return BillingAccount.objects.select_related("plan").get(workspace=workspace)


def ensure_customer(account: BillingAccount, *, email: str) -> str:
    """The account's Stripe Customer id, created on first use. The idempotency key is the
    workspace's, so two concurrent first checkouts make one Customer, and the row keeps the
    first id stored."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    workspace = account.workspace
    with stripe_call("set up billing for this workspace"):
        customer = client().v1.customers.create(
            params={
                "email": email,
                "name": workspace.name,
                "metadata": {"workspace_id": str(workspace.pk)},
            },
            options={"idempotency_key": f"cust-{workspace.pk}"},
        )
    BillingAccount.objects.filter(pk=account.pk, stripe_customer_id__isnull=True).update(
        stripe_customer_id=customer.id
    )
    account.refresh_from_db(fields=["stripe_customer_id"])
    return account.stripe_customer_id or customer.id
