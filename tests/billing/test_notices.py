"""Billing emails: to the owners only, each once per key, transactional (no marketing opt-in),
with dates in the workspace's zone and the hosted invoice link where there is one to pay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from accounts.roles import Role
from billing import notices
from billing.models import BillingAccount, BillingNotice, Invoice, Plan, SubscriptionStatus
from billing.plans import seed_plans
from legal.marketing import is_opted_in
from notifications.models import Notification
from tests.factories import WorkspaceFactory

HOSTED = "https://invoice.stripe.test/i/in_test_1"


@pytest.fixture
def team(db, make_member):
    seed_plans(with_stripe=False)
    workspace = WorkspaceFactory(name="Tom's Café & Bar", slug="toms", timezone="Asia/Tokyo")
    people = {role: make_member(workspace, role) for role in Role.values}
    second_owner = make_member(workspace, Role.OWNER)
    account = BillingAccount.objects.create(
        workspace=workspace,
        plan=Plan.objects.get(code="pro"),
        stripe_customer_id="cus_notices",
        stripe_subscription_id="sub_notices",
        interval="month",
        status=SubscriptionStatus.PAST_DUE,
        # 20:00 UTC on 1 May is already 2 May in Tokyo: the email must say 9 May (7 days on).
        past_due_since=datetime(2026, 5, 1, 20, 0, tzinfo=UTC),
        current_period_end=datetime(2026, 5, 31, 20, 0, tzinfo=UTC),
        trial_end=datetime(2026, 5, 10, 16, 0, tzinfo=UTC),
    )
    return workspace, people, second_owner, account


def _invoice(workspace, attempt=1):
    return Invoice.objects.create(
        workspace=workspace,
        stripe_invoice_id="in_test_1",
        number="MIX-0007",
        status="open",
        amount_due=1900,
        currency="usd",
        hosted_invoice_url=HOSTED,
        invoice_pdf=HOSTED + "/pdf",
        attempt_count=attempt,
        created=datetime(2026, 5, 1, 20, 0, tzinfo=UTC),
    )


def _owners(people, second_owner):
    return {people[Role.OWNER].email, second_owner.email}


@pytest.mark.django_db(transaction=True)
@override_settings(PAST_DUE_GRACE_DAYS=7)
def test_payment_failed_emails_the_owners_once_per_attempt_with_the_invoice_link(team):
    workspace, people, second_owner, account = team
    invoice = _invoice(workspace)

    assert notices.payment_failed(account, invoice) is True
    assert notices.payment_failed(account, invoice) is False  # a duplicate webhook

    assert {m.to[0] for m in mail.outbox} == _owners(people, second_owner)
    message = mail.outbox[0]
    assert message.subject == "Payment failed for Tom's Café & Bar: update your card by 9 May 2026"
    assert HOSTED in message.body
    assert "$19" in message.body
    assert "MIX-0007" in message.body
    assert "/w/toms/billing/" in message.body
    html, _ = message.alternatives[0]
    assert f'href="{HOSTED}"' in html
    # Transactional: the owner never opted in to marketing and still gets it.
    assert not is_opted_in(people[Role.OWNER])
    # Owners only, in the app too.
    assert set(Notification.objects.values_list("user__email", flat=True)) == _owners(
        people, second_owner
    )

    # Stripe's next retry fails too: a new attempt is a new email.
    invoice.attempt_count = 2
    invoice.save()
    assert notices.payment_failed(account, invoice) is True
    assert len(mail.outbox) == 4
    assert BillingNotice.objects.filter(workspace=workspace).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing_and_keeps_no_key(team):
    workspace, _people, _second, account = team
    invoice = _invoice(workspace)

    def process_then_fail() -> None:
        with transaction.atomic():
            assert notices.payment_failed(account, invoice) is True
            raise RuntimeError("the event's processing failed after the notice")

    with pytest.raises(RuntimeError):
        process_then_fail()

    assert mail.outbox == []
    assert not BillingNotice.objects.exists()
    # The retried task sends it.
    assert notices.payment_failed(account, invoice) is True
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_payment_action_required_links_the_hosted_invoice(team):
    workspace, people, second_owner, account = team
    invoice = _invoice(workspace)

    assert notices.payment_action_required(account, invoice) is True
    assert notices.payment_action_required(account, invoice) is False

    assert {m.to[0] for m in mail.outbox} == _owners(people, second_owner)
    assert mail.outbox[0].subject == "Confirm your payment for Tom's Café & Bar"
    assert HOSTED in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_trial_and_renewal_reminders_once_per_date(team):
    workspace, people, second_owner, account = team
    account.status = SubscriptionStatus.TRIALING
    account.past_due_since = None
    account.save()

    assert notices.trial_will_end(account) is True
    assert notices.trial_will_end(account) is False
    trial_mail = mail.outbox[-1]
    # 16:00 UTC on 10 May is 11 May in Tokyo.
    assert trial_mail.subject == "Your Pro trial for Tom's Café & Bar ends on 11 May 2026"
    assert "$19/month" in trial_mail.body

    assert notices.renewal_reminder(account) is True
    assert notices.renewal_reminder(account) is False
    renewal = mail.outbox[-1]
    assert renewal.subject == "Tom's Café & Bar: your Pro plan renews on 1 June 2026"
    assert "$19/month" in renewal.body

    # The next period is another reminder.
    account.current_period_end += timedelta(days=30)
    assert notices.renewal_reminder(account) is True
    assert len(mail.outbox) == 3 * len(_owners(people, second_owner))


@pytest.mark.django_db(transaction=True)
@override_settings(OVER_LIMIT_GRACE_DAYS=14)
def test_cancellation_and_over_limit_notices(team):
    workspace, people, second_owner, account = team
    account.status = SubscriptionStatus.CANCELED
    account.past_due_since = None
    account.over_limit_since = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    account.save()
    lines = ["3 connected social accounts over your Free plan's 2: disconnect 1 or upgrade."]

    assert notices.subscription_canceled(account) is True
    assert notices.subscription_canceled(account) is False
    assert mail.outbox[-1].subject == "The subscription of Tom's Café & Bar has ended"
    assert "Nothing was deleted" in mail.outbox[-1].body

    assert notices.over_limit(account, []) is False  # nothing over: nothing to say
    assert notices.over_limit(account, lines) is True
    assert notices.over_limit(account, lines) is False
    over = mail.outbox[-1]
    assert over.subject == "Tom's Café & Bar is over its plan's limits"
    assert lines[0] in over.body
    assert "15 June 2026" in over.body  # OVER_LIMIT_GRACE_DAYS (14) after going over
    assert len(mail.outbox) == 2 * len(_owners(people, second_owner))
    assert {m.to[0] for m in mail.outbox} == _owners(people, second_owner)
