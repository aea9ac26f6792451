from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.plans import seed_plans
from billing.stripe_client import BillingUnavailable, configured


class Command(BaseCommand):
    help = (
        "Create the missing plans (Free, Pro, Business) and link the paid ones to their Stripe "
        "products and prices, found by lookup key or created (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-stripe", action="store_true", help="Only the plans in the database."
        )

    def handle(self, *args: Any, no_stripe: bool, **options: Any) -> None:
        with_stripe = configured() and not no_stripe
        try:
            plans = seed_plans(with_stripe=with_stripe)
        except BillingUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for plan in plans:
            self.stdout.write(
                f"  {plan.name:<10} monthly: {plan.stripe_price_monthly or '-':<32} "
                f"yearly: {plan.stripe_price_yearly or '-'}"
            )
        if not with_stripe:
            self.stdout.write("Plans only: not linked to Stripe prices.")
