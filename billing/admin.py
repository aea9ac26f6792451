"""Billing in the support desk. Plans: names, descriptions and limits edited by superusers
(prices and their Stripe ids come from `seed_plans` and Stripe). Each workspace's billing
account and invoices: read-only, for support staff too. Stripe's raw events: read-only,
superusers only (payloads can name the billing contact). No card data exists to show."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import BillingAccount, Invoice, Plan, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Mirrors of Stripe: Stripe is where they change."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_public",
        "price_monthly",
        "price_yearly",
        "max_social_accounts",
        "max_members",
        "max_scheduled_posts_month",
        "inbox_enabled",
    ]
    readonly_fields = [
        "code",
        "currency",
        "price_monthly",
        "price_yearly",
        "stripe_price_monthly",
        "stripe_price_yearly",
    ]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "is_public", "sort_order"]}),
        (
            "Limits (empty: unlimited)",
            {
                "fields": [
                    "max_social_accounts",
                    "max_members",
                    "max_scheduled_posts_month",
                    "ai_credits_month",
                    "inbox_enabled",
                    "trial_days",
                ]
            },
        ),
        (
            "Prices (from Stripe, in cents; run `manage.py seed_plans`)",
            {
                "fields": [
                    "currency",
                    "price_monthly",
                    "stripe_price_monthly",
                    "price_yearly",
                    "stripe_price_yearly",
                ]
            },
        ),
    ]

    # Plans come from seed_plans, and workspaces point at them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = [
        "workspace",
        "plan",
        "status",
        "interval",
        "cancel_at_period_end",
        "current_period_end",
        "past_due_since",
        "over_limit_since",
        "synced_at",
    ]
    list_filter = ["status", "plan", "cancel_at_period_end"]
    search_fields = ["workspace__slug", "workspace__name", "stripe_customer_id"]
    list_select_related = ["workspace", "plan"]
    fields = [
        "workspace",
        "plan_name",
        "status",
        "interval",
        "cancel_at_period_end",
        "current_period_end",
        "trial_end",
        "past_due_since",
        "over_limit_since",
        "invoices",
        "stripe_customer_id",
        "stripe_subscription_id",
        "last_event_created",
        "synced_at",
    ]
    readonly_fields = ["plan_name", "invoices"]

    # Plain text: support staff may not open the plan's settings.
    @admin.display(description="Plan")
    def plan_name(self, account: BillingAccount) -> str:
        return account.plan.name

    @admin.display(description="Invoices")
    def invoices(self, account: BillingAccount) -> str:
        url = reverse("admin:billing_invoice_changelist")
        count = Invoice.objects.filter(workspace_id=account.workspace_id).count()
        return format_html(
            '<a href="{}?workspace__id__exact={}">{} invoice(s)</a>',
            url,
            account.workspace_id,
            count,
        )


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "workspace", "status", "amount_due", "currency", "created"]
    list_filter = ["status"]
    search_fields = ["number", "stripe_invoice_id", "workspace__slug"]
    list_select_related = ["workspace"]
    date_hierarchy = "created"


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "attempts"]
    list_filter = ["type", "processed_at"]
    search_fields = ["event_id"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser
