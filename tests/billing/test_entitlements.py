"""The access policy (design A5), from the mirrored subscription status only: trialing and
active get the plan, past_due the plan and a banner for PAST_DUE_GRACE_DAYS then read-only,
unpaid/paused/incomplete read-only, canceled/expired/none the Free plan; and what
mixora.limits answers the creating apps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from billing.entitlements import access_state, effective_plan, read_only_reason
from billing.models import BillingAccount, Plan, SubscriptionStatus
from billing.plans import seed_plans
from mixora import limits
from tests.factories import WorkspaceFactory

S = SubscriptionStatus


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    return {plan.code: plan for plan in seed_plans(with_stripe=False)}


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="acme", timezone="Asia/Tokyo")


def account(workspace, plans, status, plan="pro", **fields) -> BillingAccount:
    return BillingAccount.objects.create(
        workspace=workspace, plan=plans[plan], status=status, **fields
    )


@pytest.mark.parametrize(
    ("status", "state", "plan"),
    [
        (S.TRIALING, "full", "pro"),
        (S.ACTIVE, "full", "pro"),
        (S.PAST_DUE, "grace", "pro"),
        (S.UNPAID, "read_only", "pro"),
        (S.PAUSED, "read_only", "pro"),
        (S.INCOMPLETE, "read_only", "pro"),
        (S.CANCELED, "free", "free"),
        (S.INCOMPLETE_EXPIRED, "free", "free"),
        (S.NONE, "free", "free"),
    ],
)
def test_each_status_maps_to_an_access_state_and_plan(workspace, plans, status, state, plan):
    billing = account(workspace, plans, status, past_due_since=timezone.now())
    assert access_state(billing) == state
    assert effective_plan(billing).code == plan
    assert bool(read_only_reason(billing)) == (state == "read_only")


def test_past_due_keeps_full_limits_for_the_grace_days_then_turns_read_only(
    workspace, plans, settings
):
    settings.PAST_DUE_GRACE_DAYS = 7
    failed = datetime(2026, 5, 3, 1, 0, tzinfo=UTC)  # 3 May 10:00 in Tokyo
    billing = account(workspace, plans, S.PAST_DUE, past_due_since=failed)

    assert access_state(billing, now=failed + timedelta(days=7, seconds=-1)) == "grace"
    assert read_only_reason(billing, now=failed + timedelta(days=6)) == ""
    assert access_state(billing, now=failed + timedelta(days=7)) == "read_only"
    reason = read_only_reason(billing, now=failed + timedelta(days=8))
    assert reason.startswith("Payment failed on 3 May")
    assert "read-only until the invoice is paid. Nothing is lost." in reason


def test_the_provider_gives_the_effective_plans_limits_and_features(workspace, plans):
    account(workspace, plans, S.ACTIVE, plan="business")
    granted = limits.entitlements(workspace)
    assert granted.plan_name == "Business"
    assert granted.limit(limits.SOCIAL_ACCOUNTS) == 30
    assert granted.limit(limits.MEMBERS) == 20
    assert granted.limit(limits.SCHEDULED_POSTS_MONTH) is None
    assert limits.allows(workspace, limits.INBOX)
    assert granted.read_only == ""
    assert granted.upgrade_url == "/w/acme/billing/"


def test_a_canceled_subscription_gets_free_limits_and_no_inbox(workspace, plans):
    account(workspace, plans, S.CANCELED, plan="pro")
    granted = limits.entitlements(workspace)
    assert (granted.plan_name, granted.limit(limits.SOCIAL_ACCOUNTS)) == ("Free", 2)
    assert not limits.allows(workspace, limits.INBOX)
    with pytest.raises(limits.PlanLimitExceeded) as refused:
        limits.require(workspace, limits.SOCIAL_ACCOUNTS, in_use=2)
    assert "Free plan includes 2 connected social accounts" in str(refused.value)
    assert refused.value.upgrade_url == "/w/acme/billing/"
    limits.require(workspace, limits.SOCIAL_ACCOUNTS, in_use=1)  # room for one more


def test_a_workspace_without_an_account_is_on_free(workspace, plans):
    granted = limits.entitlements(workspace)
    assert (granted.plan_name, granted.limit(limits.MEMBERS)) == ("Free", 2)
    assert not BillingAccount.objects.exists()  # asking creates nothing


def test_staff_edits_to_a_plan_apply_at_once(workspace, plans):
    account(workspace, plans, S.ACTIVE, plan="pro")
    Plan.objects.filter(code="pro").update(max_social_accounts=12)
    assert limits.entitlements(workspace).limit(limits.SOCIAL_ACCOUNTS) == 12


def test_read_only_refuses_with_the_reason_in_plain_words(workspace, plans, settings):
    failed = timezone.now() - timedelta(days=settings.PAST_DUE_GRACE_DAYS + 1)
    account(workspace, plans, S.UNPAID, past_due_since=failed)
    with pytest.raises(limits.ReadOnlyWorkspace) as refused:
        limits.require(workspace, limits.MEMBERS, in_use=0)
    assert "read-only until the invoice is paid. Nothing is lost." in str(refused.value)


def test_a_paused_trial_says_a_card_is_missing(workspace, plans):
    ended = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    billing = account(workspace, plans, S.PAUSED, trial_end=ended)
    assert read_only_reason(billing).startswith("The free trial ended on 1 June")
    assert "until a card is added" in read_only_reason(billing)


def test_nothing_is_limited_when_billing_is_off_or_no_plan_is_seeded(workspace, settings, db):
    assert limits.entitlements(workspace) is limits.UNLIMITED  # no plans seeded
    seed_plans(with_stripe=False)
    settings.BILLING_ENABLED = False
    assert limits.entitlements(workspace) is limits.UNLIMITED
    settings.BILLING_ENABLED = True
    assert limits.entitlements(workspace).plan_name == "Free"
