"""The billing page (owners manage, admins read), and the doors to Stripe's hosted pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.csp import form_targets
from mixora.errors import UserFacingError

from . import checkout
from .accounts import billing_account
from .models import Plan, SubscriptionStatus
from .status import money, plan_cards, plan_features, standing, yearly_saving
from .stripe_client import configured
from .sync import LIVE
from .usage import usage

# The return page reloads itself while the subscription is being confirmed, this many times.
RETURN_TRIES = 10


def stripe_origins() -> list[str]:
    """Where the checkout and portal forms are answered (a 303 to Stripe's hosted pages): the
    emulator in local mode and tests, Stripe's own hosts in production."""
    if settings.STRIPE_API_BASE:
        parts = urlsplit(settings.STRIPE_API_BASE)
        return [f"{parts.scheme}://{parts.netloc}"]
    return ["https://checkout.stripe.com", "https://billing.stripe.com"]


def _interval(value: str | None) -> str:
    return "year" if value == "year" else "month"


@workspace_view(Capability.VIEW_BILLING)
@require_safe
@form_targets(stripe_origins)
def page(request: WorkspaceRequest) -> HttpResponse:
    if not configured():
        # A deployment that sells nothing (self-hosted): nothing is limited either.
        return render(request, "billing/not_set_up.html")
    workspace = request.workspace
    account = billing_account(workspace)
    interval = _interval(request.GET.get("interval") or account.interval)
    now = standing(account)
    subscribed = account.status in LIVE
    public_plans = list(Plan.objects.filter(is_public=True))
    invoices = [
        {"invoice": invoice, "amount": money(invoice.amount_due, invoice.currency)}
        for invoice in workspace.invoices.exclude(status="draft")[:24]
    ]
    context = {
        "account": account,
        "standing": now,
        "current_features": plan_features(now.plan),
        "usage": usage(workspace),
        "plans": plan_cards(public_plans, account, now.plan, interval, subscribed=subscribed),
        "interval": interval,
        "yearly_saving": yearly_saving(public_plans),
        "subscribed": subscribed,
        "can_manage": request.membership.can(Capability.MANAGE_BILLING),
        "invoices": invoices,
    }
    return render(request, "billing/page.html", context)


@workspace_view(Capability.MANAGE_BILLING)
@require_POST
def start_checkout(request: WorkspaceRequest) -> HttpResponse:
    plan = Plan.objects.filter(code=request.POST.get("plan", ""), is_public=True).first()
    interval = request.POST.get("interval", "")
    try:
        if plan is None:
            raise UserFacingError("Choose one of the plans shown.")
        url = checkout.start_checkout(request.workspace, plan, interval, user=request.user)
    except UserFacingError as exc:
        messages.error(request, str(exc))
        return redirect("billing:page", request.workspace.slug)
    return HttpResponseRedirect(url, status=303)


@workspace_view(Capability.MANAGE_BILLING)
@require_POST
def open_portal(request: WorkspaceRequest) -> HttpResponse:
    try:
        url = checkout.open_portal(
            request.workspace, user=request.user, flow=request.POST.get("flow", "")
        )
    except UserFacingError as exc:
        messages.error(request, str(exc))
        return redirect("billing:page", request.workspace.slug)
    return HttpResponseRedirect(url, status=303)


@workspace_view(Capability.MANAGE_BILLING)
@require_safe
def checkout_return(request: WorkspaceRequest) -> HttpResponse:
    """Checkout's success page: shows the plan once Stripe reports the subscription (synced
    now, or by the webhook meanwhile), and "Activating…" until then."""
    workspace = request.workspace
    try:
        account = checkout.complete_return(workspace)
    except UserFacingError:
        account = billing_account(workspace)  # the webhook will bring it; keep waiting
    # The waiting page checks again through htmx: leaving it must move the whole page.
    leave = HttpResponseClientRedirect if request.htmx else HttpResponseRedirect
    if not account.stripe_customer_id:
        return leave(reverse("billing:page", args=[workspace.slug]))  # never went to Checkout
    if account.status in LIVE:
        trial = account.status == SubscriptionStatus.TRIALING
        started = "trial has started" if trial else "plan is active"
        messages.success(request, f"Your {account.plan.name} {started}.")
        return leave(reverse("billing:page", args=[workspace.slug]))
    try:
        tries = int(request.GET.get("try", "0"))
    except ValueError:
        tries = 0
    context = {"next_try": tries + 1 if tries < RETURN_TRIES else None}
    return render(request, "billing/return.html", context)
