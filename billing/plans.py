"""The plans Mixora sells. `seed_plans` creates the missing ones with these defaults (staff
then edit names and limits in the admin; a later run never overwrites them) and, when Stripe
is configured, finds or creates each paid plan's Product and monthly/yearly Prices, found
again by lookup key ("pro_monthly"), so running it twice, or against a fresh Stripe account,
creates nothing twice. Amounts come back from Stripe: what Stripe charges is what we show."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction

from .models import Plan
from .stripe_client import client, configured, stripe_call

FREE = "free"


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    description: str
    sort_order: int
    price_monthly: int  # cents
    price_yearly: int
    trial_days: int
    max_social_accounts: int | None
    max_members: int | None
    max_scheduled_posts_month: int | None
    inbox_enabled: bool
    ai_credits_month: int | None  # one credit is one AI request (a draft, rewrite, suggestion)


PLANS = (
    PlanSpec(FREE, "Free", "For trying Mixora out.", 0, 0, 0, 0, 2, 2, 30, False, 25),
    PlanSpec(
        "pro",
        "Pro",
        "For small teams: unlimited scheduling and the unified inbox.",
        1,
        1900,
        19000,
        14,
        10,
        5,
        None,
        True,
        300,
    ),
    PlanSpec(
        "business",
        "Business",
        "For agencies and larger teams.",
        2,
        4900,
        49000,
        0,
        30,
        20,
        None,
        True,
        2000,  # a limit still: every request is paid to the AI provider
    ),
)

INTERVALS = {"month": "monthly", "year": "yearly"}


def lookup_key(code: str, interval: str) -> str:
    return f"{code}_{INTERVALS[interval]}"


def free_plan() -> Plan:
    """The fallback plan of every workspace without a live subscription (created if missing)."""
    plan = Plan.objects.filter(code=FREE).first()
    return plan or _create(next(spec for spec in PLANS if spec.code == FREE))


def _create(spec: PlanSpec) -> Plan:
    fields = asdict(spec)
    plan, _ = Plan.objects.get_or_create(code=fields.pop("code"), defaults=fields)
    return plan


def seed_plans(*, with_stripe: bool = True) -> list[Plan]:
    """Create the missing plans; then (with_stripe, when configured) link the paid ones to
    their Stripe prices. Raises BillingUnavailable when Stripe cannot be reached."""
    with transaction.atomic():
        plans = [_create(spec) for spec in PLANS]
    if with_stripe and configured():
        for plan in plans:
            if plan.price_monthly or plan.price_yearly:
                _link_prices(plan)
    return plans


def _link_prices(plan: Plan) -> None:
    api = client().v1
    wanted = {
        interval: lookup_key(plan.code, interval)
        for interval, amount in (("month", plan.price_monthly), ("year", plan.price_yearly))
        if amount
    }
    with stripe_call(f"set up the {plan.name} plan's prices"):
        found = api.prices.list(params={"lookup_keys": list(wanted.values()), "active": True})
        by_key = {price.lookup_key: price for price in found.data}
        product = next((price.product for price in found.data), None) or _product(plan)
        for interval, key in wanted.items():
            price = by_key.get(key) or api.prices.create(
                params={
                    "product": product if isinstance(product, str) else product.id,
                    "currency": plan.currency,
                    "unit_amount": getattr(plan, f"price_{INTERVALS[interval]}"),
                    "recurring": {"interval": interval},
                    "lookup_key": key,
                    # A key left on an archived price moves to this one.
                    "transfer_lookup_key": True,
                    "nickname": f"{plan.name} ({INTERVALS[interval]})",
                    "metadata": {"mixora_plan": plan.code},
                },
                options={"idempotency_key": f"price-{key}"},
            )
            setattr(plan, f"stripe_price_{INTERVALS[interval]}", price.id)
            setattr(plan, f"price_{INTERVALS[interval]}", price.unit_amount or 0)
    plan.save(
        update_fields=[
            "stripe_price_monthly",
            "stripe_price_yearly",
            "price_monthly",
            "price_yearly",
        ]
    )


def _product(plan: Plan) -> str:
    """The plan's Product: the one whose metadata names the plan, else a new one."""
    api = client().v1
    for product in api.products.list(params={"active": True, "limit": 100}).auto_paging_iter():
        if product.to_dict().get("metadata", {}).get("mixora_plan") == plan.code:
            return product.id
    return api.products.create(
        params={
            "name": f"Mixora {plan.name}",
            "description": plan.description or plan.name,
            "metadata": {"mixora_plan": plan.code},
        },
        options={"idempotency_key": f"product-{plan.code}"},
    ).id
