"""The billing page: who sees it, the plan and status in plain words, usage, plans and invoices;
the banner every member sees when a payment failed, the workspace is read-only or it is over
its plan after a downgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.roles import Role
from billing.models import BillingAccount, Invoice, Plan, SubscriptionStatus
from billing.plans import seed_plans
from connections.models import ConnectedAccount
from tests.factories import WorkspaceFactory

PARIS = ZoneInfo("Europe/Paris")


def _day(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment, PARIS), "j F Y")


@pytest.fixture
def shop(db, make_member):
    """A Paris workspace with one member of each role, and plans sold at (stored) prices."""
    seed_plans(with_stripe=False)
    for code in ("pro", "business"):
        Plan.objects.filter(code=code).update(
            stripe_price_monthly=f"price_{code}_monthly", stripe_price_yearly=f"price_{code}_yearly"
        )
    workspace = WorkspaceFactory(name="Shop", slug="shop", timezone="Europe/Paris")
    workspace.people = {role: make_member(workspace, role) for role in Role.values}
    return workspace


def _subscribe(workspace, **fields):
    values = {
        "plan": Plan.objects.get(code="pro"),
        "stripe_customer_id": "cus_shop",
        "stripe_subscription_id": "sub_shop",
        "interval": "month",
        "status": SubscriptionStatus.ACTIVE,
        "current_period_end": datetime(2030, 3, 15, 12, tzinfo=UTC),
    } | fields
    account, _ = BillingAccount.objects.update_or_create(workspace=workspace, defaults=values)
    return account


def _page(client, workspace, role, query=""):
    client.force_login(workspace.people[role])
    return client.get(reverse("billing:page", args=[workspace.slug]) + query)


def test_owner_sees_plan_usage_plans_and_invoices(client, shop):
    _subscribe(shop)
    created = datetime(2030, 2, 15, 12, tzinfo=UTC)
    Invoice.objects.create(
        workspace=shop,
        stripe_invoice_id="in_paid",
        number="SHOP-0001",
        status="paid",
        amount_due=1900,
        amount_paid=1900,
        hosted_invoice_url="https://invoice.stripe.test/i/in_paid",
        invoice_pdf="https://invoice.stripe.test/i/in_paid/pdf",
        created=created,
    )
    Invoice.objects.create(
        workspace=shop, stripe_invoice_id="in_draft", number="", status="draft", created=created
    )
    other = WorkspaceFactory(slug="other")
    Invoice.objects.create(
        workspace=other,
        stripe_invoice_id="in_other",
        number="OTHER-1",
        status="paid",
        created=created,
    )
    for n in range(3):
        ConnectedAccount.objects.create(
            workspace=shop, platform="x", external_id=str(n), display_name=f"Shop {n}"
        )

    response = _page(client, shop, Role.OWNER)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Renews on 15 March 2030 at $19/month." in html
    assert response.context["standing"].label == "Active"
    # Usage against Pro's limits, as bars.
    assert "Connected social accounts" in html
    assert "3 of 10" in html
    assert '<progress class="usage__bar" max="100" value="30"' in html
    assert "AI drafts this month" in html
    assert "0 of 300" in html
    # Plans: Pro is current; Business is offered through Checkout; Free through the portal.
    plans = {card["plan"].code: card for card in response.context["plans"]}
    assert plans["pro"]["current"]
    assert not plans["business"]["current"]
    assert 'name="plan" value="business"' in html
    assert "Switch to Business" in html
    assert "Downgrade to Free" in html
    assert plans["free"]["features"][-1] == "25 AI drafts a month"
    assert "2000 AI drafts a month" in html
    # Invoices: this workspace's, never a draft, with Stripe's links.
    assert "SHOP-0001" in html
    assert "$19" in html
    assert 'href="https://invoice.stripe.test/i/in_paid"' in html
    assert 'href="https://invoice.stripe.test/i/in_paid/pdf"' in html
    assert "OTHER-1" not in html
    assert [row["invoice"].stripe_invoice_id for row in response.context["invoices"]] == ["in_paid"]
    # Its forms are answered by a redirect to Stripe's pages: the CSP allows that origin.
    assert (
        "http://127.0.0.1:" in response.headers["Content-Security-Policy"].split("form-action")[1]
    )


def test_yearly_toggle_shows_yearly_prices_and_posts_the_interval(client, shop):
    response = _page(client, shop, Role.OWNER, "?interval=year")

    html = response.content.decode()
    assert response.context["interval"] == "year"
    assert "<strong>$190</strong><span>/year</span>" in html
    assert "$15.83/month, billed yearly" in html
    assert 'name="interval" value="year"' in html
    assert "save 17%" in html
    # Never subscribed: Pro offers its trial.
    assert "14-day free trial" in html
    assert "Start free trial" in html
    assert response.context["standing"].detail == "You are on the Free plan."


@override_settings(PAST_DUE_GRACE_DAYS=7)
@pytest.mark.parametrize(
    ("fields", "label", "words"),
    [
        (
            lambda now: {
                "status": SubscriptionStatus.TRIALING,
                "trial_end": now + timedelta(days=5, hours=-1),
            },
            "Trial",
            lambda now: (
                f"Trial ends in 5 days ({_day(now + timedelta(days=5, hours=-1))}), then $19/month."
            ),
        ),
        (
            lambda now: {"cancel_at_period_end": True},
            "Canceling",
            lambda now: "Canceling on 15 March 2030. Pro stays on until then",
        ),
        (
            lambda now: {
                "status": SubscriptionStatus.PAST_DUE,
                "past_due_since": now - timedelta(days=2),
            },
            "Payment failed",
            lambda now: f"Payment failed — update your card by {_day(now + timedelta(days=5))}",
        ),
        (
            lambda now: {
                "status": SubscriptionStatus.PAST_DUE,
                "past_due_since": now - timedelta(days=10),
            },
            "Read-only",
            lambda now: f"Read-only since {_day(now - timedelta(days=3))}",
        ),
        (
            lambda now: {"status": SubscriptionStatus.CANCELED},
            "Free",
            lambda now: "You are on the Free plan.",
        ),
    ],
    ids=["trialing", "canceling", "past_due", "read_only", "canceled"],
)
def test_status_in_plain_words(client, shop, fields, label, words):
    now = timezone.now()
    _subscribe(shop, **fields(now))

    response = _page(client, shop, Role.OWNER)

    assert response.context["standing"].label == label
    assert words(now) in response.content.decode()


def test_admins_read_the_page_without_any_way_to_change_it(client, shop):
    _subscribe(shop)

    response = _page(client, shop, Role.ADMIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "only its owners can change the plan" in html
    assert reverse("billing:checkout", args=[shop.slug]) not in html
    assert reverse("billing:portal", args=[shop.slug]) not in html
    assert "0 of 10" in html


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.VIEWER])
def test_other_roles_get_403_and_no_billing_link(client, shop, role):
    client.force_login(shop.people[role])
    assert client.get(reverse("workspace_dashboard", args=[shop.slug])).status_code == 200
    assert b"/billing/" not in client.get(reverse("workspace_dashboard", args=[shop.slug])).content

    response = _page(client, shop, role)

    assert response.status_code == 403
    assert not BillingAccount.objects.filter(workspace=shop).exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_have_the_billing_link(client, shop, role):
    client.force_login(shop.people[role])
    response = client.get(reverse("workspace_dashboard", args=[shop.slug]))
    assert f'href="/w/{shop.slug}/billing/"' in response.content.decode()


def test_members_of_another_workspace_get_404(client, shop, make_member):
    outsider = make_member(WorkspaceFactory(slug="elsewhere"), Role.OWNER)
    client.force_login(outsider)
    for name in ("billing:page", "billing:return"):
        assert client.get(reverse(name, args=[shop.slug])).status_code == 404
    for name in ("billing:checkout", "billing:portal"):
        response = client.post(
            reverse(name, args=[shop.slug]), {"plan": "pro", "interval": "month"}
        )
        assert response.status_code == 404
    assert not BillingAccount.objects.filter(workspace=shop).exists()


@override_settings(BILLING_ENABLED=False)
def test_a_server_without_billing_says_so(client, shop):
    response = _page(client, shop, Role.OWNER)
    assert response.status_code == 200
    assert "does not sell plans" in response.content.decode()


# --- the banner -------------------------------------------------------------------------


def _dashboard(client, workspace, role):
    client.force_login(workspace.people[role])
    return client.get(reverse("workspace_dashboard", args=[workspace.slug])).content.decode()


@override_settings(PAST_DUE_GRACE_DAYS=7)
def test_past_due_banner_for_every_member_with_the_update_by_date(client, shop):
    now = timezone.now()
    _subscribe(shop, status=SubscriptionStatus.PAST_DUE, past_due_since=now - timedelta(days=1))
    by = _day(now + timedelta(days=6))

    for role in Role.values:
        html = _dashboard(client, shop, role)
        assert "billing-banner--warn" in html, role
        link = f'href="/w/{shop.slug}/billing/">Update card</a>'
        if role == Role.OWNER:
            assert f"Update the card by {by} to keep full access" in html
            assert link in html
        else:
            assert f"An owner needs to update the card by {by} to keep full access" in html
            assert link not in html


@override_settings(PAST_DUE_GRACE_DAYS=7)
def test_read_only_banner(client, shop):
    _subscribe(
        shop,
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=8),
    )
    viewer = _dashboard(client, shop, Role.VIEWER)
    assert "billing-banner--error" in viewer
    assert "This workspace is read-only" in viewer
    assert "this workspace is read-only until the invoice is paid. Nothing is lost." in viewer
    assert "Ask an owner to pay the invoice." in viewer
    assert "Update payment" not in viewer
    owner = _dashboard(client, shop, Role.OWNER)
    assert f'href="/w/{shop.slug}/billing/">Update payment</a>' in owner


@override_settings(OVER_LIMIT_GRACE_DAYS=14)
def test_over_limit_banner_tells_owners_what_to_remove(client, shop):
    since = datetime(2030, 4, 1, 12, tzinfo=UTC)
    _subscribe(shop, status=SubscriptionStatus.CANCELED, over_limit_since=since)
    for n in range(3):
        ConnectedAccount.objects.create(
            workspace=shop, platform="x", external_id=str(n), display_name=f"Shop {n}"
        )
    remove = "3 connected social accounts over your Free plan&#x27;s 2: disconnect 1 or upgrade."

    owner = _dashboard(client, shop, Role.OWNER)
    assert "Over the Free plan&#x27;s limits" in owner
    assert remove in owner
    assert "15 April 2030" in owner
    assert f'href="/w/{shop.slug}/billing/">See plans</a>' in owner

    viewer = _dashboard(client, shop, Role.VIEWER)
    assert "Over the Free plan&#x27;s limits" in viewer
    assert remove not in viewer
    assert "See plans" not in viewer

    # Back within the plan (one account disconnected, three people gone): no banner, even
    # before the grace task clears the date.
    ConnectedAccount.objects.filter(external_id="2").delete()
    assert remove not in _dashboard(client, shop, Role.OWNER)
    shop.memberships.exclude(role__in=[Role.OWNER, Role.ADMIN]).delete()
    assert "billing-banner" not in _dashboard(client, shop, Role.OWNER)


def test_no_banner_when_paid_up_or_never_subscribed(client, shop):
    assert "billing-banner" not in _dashboard(client, shop, Role.OWNER)
    _subscribe(shop)
    assert "billing-banner" not in _dashboard(client, shop, Role.EDITOR)
