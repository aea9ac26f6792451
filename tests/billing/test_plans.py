"""seed_plans: Free, Pro and Business with their limits; the paid ones' Products and Prices in
Stripe found again by lookup key (a second run creates nothing, a fresh Stripe gets them
anew); staff edits are never overwritten; the demo seeds them too."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import seed_demo
from billing.models import Plan
from billing.plans import seed_plans
from billing.stripe_client import client
from billing.sync import plan_for_price


def stripe_prices() -> dict[str, tuple[str, int, str]]:
    listed = client().v1.prices.list(params={"active": True, "limit": 100})
    return {p.lookup_key: (p.id, p.unit_amount, p.recurring.interval) for p in listed.data}


def test_plans_and_their_limits(db):
    plans = {plan.code: plan for plan in seed_plans(with_stripe=False)}
    free, pro, business = plans["free"], plans["pro"], plans["business"]
    assert (free.max_social_accounts, free.max_members, free.max_scheduled_posts_month) == (
        2,
        2,
        30,
    )
    assert free.inbox_enabled is False
    assert free.is_free
    assert (pro.price_monthly, pro.price_yearly, pro.trial_days) == (1900, 19000, 14)
    assert (pro.max_social_accounts, pro.max_members, pro.max_scheduled_posts_month) == (
        10,
        5,
        None,
    )
    assert (business.price_monthly, business.max_social_accounts, business.max_members) == (
        4900,
        30,
        20,
    )
    assert pro.inbox_enabled
    assert business.inbox_enabled
    assert (free.ai_credits_month, pro.ai_credits_month, business.ai_credits_month) == (
        25,
        300,
        2000,
    )
    assert list(Plan.objects.values_list("code", flat=True)) == ["free", "pro", "business"]


def test_paid_plans_get_prices_in_stripe_once(db, stripe_emulator):
    plans = {plan.code: plan for plan in seed_plans()}
    prices = stripe_prices()
    assert set(prices) == {"pro_monthly", "pro_yearly", "business_monthly", "business_yearly"}
    assert prices["pro_monthly"][1:] == (1900, "month")
    assert prices["business_yearly"][1:] == (49000, "year")
    assert plans["pro"].stripe_price_monthly == prices["pro_monthly"][0]
    assert plans["business"].stripe_price_yearly == prices["business_yearly"][0]
    assert plans["free"].stripe_price_monthly == ""
    products = client().v1.products.list(params={"limit": 100}).data
    assert sorted(p.name for p in products) == ["Mixora Business", "Mixora Pro"]

    seed_plans()  # again: found by lookup key, nothing new
    assert stripe_prices() == prices
    assert len(client().v1.products.list(params={"limit": 100}).data) == 2
    assert plan_for_price({"id": prices["pro_yearly"][0]}).code == "pro"
    assert plan_for_price({"id": "price_elsewhere", "lookup_key": "business_monthly"}).code == (
        "business"
    )


def test_a_fresh_stripe_gets_new_prices_and_staff_edits_stay(db, stripe_emulator):
    seed_plans()
    old = Plan.objects.get(code="pro").stripe_price_monthly
    Plan.objects.filter(code="pro").update(name="Pro Team", max_members=7)
    stripe_emulator.emulator.control("POST", "reset")  # a new Stripe account

    seed_plans()

    pro = Plan.objects.get(code="pro")
    assert pro.stripe_price_monthly not in ("", old)
    assert pro.stripe_price_monthly == stripe_prices()["pro_monthly"][0]
    assert (pro.name, pro.max_members) == ("Pro Team", 7)


def test_the_command_reports_the_prices_and_stripe_being_down(db, stripe_emulator, capsys):
    call_command("seed_plans")
    out = capsys.readouterr().out
    assert "Business" in out
    assert Plan.objects.get(code="business").stripe_price_yearly in out

    call_command("seed_plans", "--no-stripe")
    assert "Plans only" in capsys.readouterr().out

    stripe_emulator.control(
        "faults", {"endpoint": "stripe.prices.list", "kind": "server", "count": 1}
    )
    with pytest.raises(CommandError, match="Stripe could not set up the Pro plan's prices"):
        call_command("seed_plans")


def test_the_demo_seeds_the_plans(db, settings):
    settings.MIXORA_MODE = "local"
    seed_demo()
    assert Plan.objects.filter(code__in=["free", "pro", "business"]).count() == 3
