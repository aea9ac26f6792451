"""The one way Mixora talks to Stripe: `client()` builds a StripeClient from the settings
(the emulator's address in local mode and tests, api.stripe.com in production), every call
with a timeout and the SDK's retries; `stripe_call` turns Stripe's failures into a message
for the person (BillingUnavailable)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import stripe
from django.conf import settings

from mixora.errors import UserFacingError

log = logging.getLogger(__name__)


class BillingUnavailable(UserFacingError):
    """Stripe could not be reached or refused the call: nothing was changed."""

    def __init__(
        self,
        message: str = "Billing is unavailable right now: nothing was changed. Please try "
        "again in a few minutes.",
    ) -> None:
        super().__init__(message)


def configured() -> bool:
    return bool(settings.BILLING_ENABLED and settings.STRIPE_SECRET_KEY)


def livemode() -> bool:
    """Whether our key is a live one: a webhook event from the other mode is refused."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def client() -> stripe.StripeClient:
    if not configured():
        raise BillingUnavailable("Billing is not set up on this Mixora server.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None,
        max_network_retries=settings.STRIPE_MAX_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_HTTP_TIMEOUT),
    )


@contextmanager
def stripe_call(doing: str) -> Iterator[None]:
    """Run Stripe calls; any Stripe failure becomes BillingUnavailable naming what failed
    ("could not <doing>"). The original error is logged, never shown (it names our ids)."""
    try:
        yield
    except stripe.StripeError as exc:
        log.warning("Stripe: could not %s: %s", doing, exc.user_message or exc)
        raise BillingUnavailable(
            f"Stripe could not {doing} just now: nothing was changed. Please try again in a "
            "few minutes."
        ) from exc
