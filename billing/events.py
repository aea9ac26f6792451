"""Stripe's webhook events: verified, stored first (one row per event id: a duplicate delivery
stores nothing new), acknowledged at once, and processed by a task.

Processing never trusts the payload's state: it finds the workspace from the customer, then
re-reads the subscription from Stripe (billing.sync), so order and duplicates don't matter
(dj-stripe's pattern, design A5). The emails an event causes are checked against that fresh
state (a late "payment failed" for an invoice paid since sends nothing) and each goes once
(billing.notices keys)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Workspace

from . import notices
from .accounts import billing_account
from .models import BillingAccount, Invoice, StripeEvent, SubscriptionStatus
from .stripe_client import client, livemode, stripe_call
from .sync import ENDED, sync_subscription, upsert_invoice

log = logging.getLogger(__name__)

# Events about the subscription and its money; any other type is stored and acknowledged.
HANDLED_PREFIXES = ("checkout.session.", "customer.subscription.", "invoice.")
MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=2)


class BadEvent(ValueError):
    """The body is not a Stripe event signed with one of our secrets."""


def verify(body: bytes, signature: str) -> dict[str, Any]:
    """The event, if `signature` (the Stripe-Signature header) signs `body` with one of
    STRIPE_WEBHOOK_SECRETS (several during a rotation) within the tolerance, and the body is
    an event of our mode (live or test). Raises BadEvent otherwise."""
    for secret in settings.STRIPE_WEBHOOK_SECRETS:
        try:
            stripe.Webhook.construct_event(
                body, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE
            )
        except stripe.SignatureVerificationError:
            continue
        except (ValueError, AttributeError, TypeError) as exc:  # signed, but not an event
            raise BadEvent("The body is not a JSON event.") from exc
        break
    else:
        raise BadEvent("No valid Stripe signature.")
    payload = json.loads(body)
    if not (
        isinstance(payload.get("id"), str)
        and isinstance(payload.get("type"), str)
        and isinstance(payload.get("created"), int)
        and isinstance((payload.get("data") or {}).get("object"), dict)
    ):
        raise BadEvent("The body is not a Stripe event.")
    if payload.get("livemode") is not livemode():
        raise BadEvent("The event is from the other Stripe mode (live or test).")
    if payload.get("api_version") != stripe.api_version:
        log.warning(
            "Stripe event %s has API version %s; we speak %s",
            payload["id"],
            payload.get("api_version"),
            stripe.api_version,
        )
    return payload


def receive(payload: dict[str, Any]) -> StripeEvent:
    """Store a verified event (once per id) and queue its processing after the commit."""
    event, _created = store(payload)
    if event.processed_at is None:
        transaction.on_commit(lambda: enqueue(event.pk))
    return event


def store(payload: dict[str, Any]) -> tuple[StripeEvent, bool]:
    return StripeEvent.objects.get_or_create(
        event_id=payload["id"],
        defaults={
            "type": payload["type"],
            "created": payload["created"],
            "livemode": bool(payload.get("livemode")),
            "api_version": payload.get("api_version") or "",
            "payload": payload,
        },
    )


def enqueue(event_pk: int) -> None:
    from .tasks import process_stripe_event

    try:
        process_stripe_event.delay(event_pk)
    except Exception:  # the broker is down: the stale-event sweep processes the stored event
        log.exception("could not queue Stripe event %s", event_pk)


def process(event_pk: int) -> str:
    """Act on a stored event once; what was done. On failure the error is recorded on the
    event (the task retries) and raised."""
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().filter(pk=event_pk).first()
            if event is None or event.processed_at is not None:
                return "already processed"
            outcome = _act(event.payload)
            event.processed_at = timezone.now()
            event.attempts = F("attempts") + 1
            event.last_error = ""
            event.save(update_fields=["processed_at", "attempts", "last_error"])
            return outcome
    except Exception as exc:
        StripeEvent.objects.filter(pk=event_pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        raise


def stale_ids() -> list[int]:
    """Events not processed a while after receipt (their task was lost or kept failing)."""
    return list(
        StripeEvent.objects.filter(
            processed_at__isnull=True,
            received_at__lt=timezone.now() - STALE_AFTER,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("created", "pk")
        .values_list("pk", flat=True)[:500]
    )


def _act(payload: dict[str, Any]) -> str:
    kind = payload["type"]
    if not kind.startswith(HANDLED_PREFIXES) or "data" not in payload:  # or redacted
        return "acknowledged (not a billing event we act on)"
    obj = payload["data"]["object"]
    customer = _id(obj.get("customer"))
    account = resolve_account(customer, _workspace_hint(obj), event_id=payload["id"])
    if account is None:
        return "ignored (no workspace of ours)"
    account = BillingAccount.objects.select_for_update().get(pk=account.pk)
    account.last_event_created = max(account.last_event_created, payload["created"])
    if kind == "checkout.session.completed" and obj.get("subscription"):
        account.stripe_subscription_id = _id(obj["subscription"]) or ""
    account.save(update_fields=["last_event_created", "stripe_subscription_id"])
    account = sync_subscription(account)
    invoice = _invoice(account, obj) if kind.startswith("invoice.") else None
    _notify(kind, account, invoice)
    return f"synced: {account.status}"


def resolve_account(
    customer: str | None, workspace_hint: str | None, *, event_id: str = ""
) -> BillingAccount | None:
    """The billing account an event is about: the customer's; else the workspace the event
    names (client_reference_id, metadata.workspace_id), only when that workspace has no
    customer yet or this same one. A customer of one workspace named for another is ignored
    and logged: a payload never moves billing between workspaces."""
    known = BillingAccount.objects.filter(stripe_customer_id=customer).first() if customer else None
    hinted = _workspace(workspace_hint)
    if known is not None:
        if hinted is not None and hinted.pk != known.workspace_id:
            log.warning(
                "Stripe event %s: customer %s belongs to workspace %s, not %s: ignored",
                event_id,
                customer,
                known.workspace_id,
                hinted.pk,
            )
            return None
        return known
    if hinted is None:
        log.warning("Stripe event %s: customer %s is no workspace's: ignored", event_id, customer)
        return None
    account = billing_account(hinted)
    if account.stripe_customer_id and account.stripe_customer_id != customer:
        log.warning(
            "Stripe event %s: customer %s names workspace %s, whose customer is %s: ignored",
            event_id,
            customer,
            hinted.pk,
            account.stripe_customer_id,
        )
        return None
    if customer and not account.stripe_customer_id:
        BillingAccount.objects.filter(pk=account.pk, stripe_customer_id__isnull=True).update(
            stripe_customer_id=customer
        )
        account.refresh_from_db()
    return account


def _invoice(account: BillingAccount, obj: dict[str, Any]) -> Invoice | None:
    """The event's invoice as stored by the sync, else read from Stripe (one outside the
    subscription's newest). invoice.upcoming is a preview without an id: None."""
    if not obj.get("id"):
        return None
    stored = Invoice.objects.filter(stripe_invoice_id=obj["id"], workspace=account.workspace)
    if stored.exists():
        return stored.get()
    with stripe_call("read an invoice"):
        fresh = client().v1.invoices.retrieve(obj["id"]).to_dict(for_json=True)
    if _id(fresh.get("customer")) != account.stripe_customer_id:
        log.warning("invoice %s is not customer %s's", obj["id"], account.stripe_customer_id)
        return None
    return upsert_invoice(account.workspace, fresh)


def _notify(kind: str, account: BillingAccount, invoice: Invoice | None) -> None:
    status = account.status
    if kind == "invoice.payment_failed" and invoice and invoice.status == "open":
        notices.payment_failed(account, invoice)
    elif kind == "invoice.payment_action_required" and invoice and invoice.status == "open":
        notices.payment_action_required(account, invoice)
    elif kind == "customer.subscription.trial_will_end" and status == SubscriptionStatus.TRIALING:
        notices.trial_will_end(account)
    elif kind == "invoice.upcoming" and status == SubscriptionStatus.ACTIVE:
        if not account.cancel_at_period_end:
            notices.renewal_reminder(account)
    elif kind == "customer.subscription.deleted" and status in ENDED:
        notices.subscription_canceled(account)


def _workspace_hint(obj: dict[str, Any]) -> str | None:
    """The workspace our own Checkout wrote into the object, if any."""
    parent = ((obj.get("parent") or {}).get("subscription_details") or {}).get("metadata")
    for source in (obj.get("metadata"), parent):
        if isinstance(source, dict) and source.get("workspace_id"):
            return str(source["workspace_id"])
    reference = obj.get("client_reference_id")
    return str(reference) if reference else None


def _workspace(hint: str | None) -> Workspace | None:
    if not hint or not hint.isdigit():
        return None
    return Workspace.objects.filter(pk=int(hint), deleted_at__isnull=True).first()


def _id(value: Any) -> str | None:
    """A Stripe reference: an id, or the expanded object's id."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None
