"""Billing mirrors the few Stripe facts Mixora needs (Stripe is the source of truth for money;
card data never reaches us): the plans and their limits, each workspace's subscription, its
invoices, and every webhook event as received."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Plan(models.Model):
    """A plan a workspace can be on. Limits: empty means unlimited. Seeded by
    `manage.py seed_plans`, editable by staff; prices live in Stripe (ids here)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(default=True, help_text="Offered on the billing page.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    price_monthly = models.PositiveIntegerField(default=0, help_text="In cents.")
    price_yearly = models.PositiveIntegerField(default=0, help_text="In cents.")
    stripe_price_monthly = models.CharField(max_length=100, blank=True)
    stripe_price_yearly = models.CharField(max_length=100, blank=True)
    trial_days = models.PositiveSmallIntegerField(default=0)
    max_social_accounts = models.PositiveIntegerField(null=True, blank=True)
    max_members = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members plus pending invitations."
    )
    max_scheduled_posts_month = models.PositiveIntegerField(null=True, blank=True)
    inbox_enabled = models.BooleanField(default=True)
    ai_credits_month = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "price_monthly"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return not (self.stripe_price_monthly or self.stripe_price_yearly)


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, plus NONE for a workspace that never subscribed."""

    NONE = "none", "No subscription"
    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"
    UNPAID = "unpaid", "Unpaid"
    PAUSED = "paused", "Paused"


class BillingAccount(models.Model):
    """One per workspace: its Stripe customer and the mirror of its subscription."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="billing"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    stripe_customer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True)
    interval = models.CharField(max_length=5, blank=True)  # "month" or "year"
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.NONE
    )
    cancel_at_period_end = models.BooleanField(default=False)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    over_limit_since = models.DateTimeField(null=True, blank=True)
    last_event_created = models.BigIntegerField(default=0)  # Stripe `created` of the newest event
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.workspace} · {self.plan} ({self.get_status_display()})"


class Invoice(models.Model):
    """Mirror of a Stripe invoice, for the billing history (links go to Stripe's pages)."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="invoices"
    )
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20)  # draft, open, paid, uncollectible, void
    amount_due = models.PositiveIntegerField(default=0)
    amount_paid = models.PositiveIntegerField(default=0)
    total_taxes = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id


class StripeEvent(models.Model):
    """Every verified webhook event, stored before it is processed: dedupe, audit and replay."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.BigIntegerField()
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class BillingNotice(models.Model):
    """An email or alert sent once: the key (e.g. "payment_failed:<invoice>:<attempt>") makes a
    duplicate event or a retried task a no-op."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="billing_notices"
    )
    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
