"""Keeping connected accounts working in the background."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import ConnectedAccount

# A paused account (over the plan's limit) keeps a live token, so it works again the moment
# the workspace is back within its plan.
KEEP_FRESH = (ConnectedAccount.Status.ACTIVE, ConnectedAccount.Status.PAUSED)


@shared_task(
    name="connections.tasks.refresh_account_token",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
)
def refresh_account_token(account_id: int) -> bool:
    account = (
        ConnectedAccount.objects.select_related("workspace")
        .filter(pk=account_id, status__in=KEEP_FRESH)
        .first()
    )
    if account is None or not account.refresh_token:
        return False
    return services.refresh(account)


@shared_task(name="connections.tasks.refresh_expiring_tokens", time_limit=60, soft_time_limit=50)
def refresh_expiring_tokens() -> int:
    """Refresh ahead of expiry: every active account whose token ends within the margin."""
    due = timezone.now() + timedelta(seconds=settings.TOKEN_REFRESH_MARGIN_SECONDS)
    ids = list(
        ConnectedAccount.objects.filter(status__in=KEEP_FRESH, token_expires_at__lte=due)
        .exclude(refresh_token="")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        refresh_account_token.delay(pk)
    return len(ids)


@shared_task(
    name="connections.tasks.check_account", acks_late=True, time_limit=60, soft_time_limit=50
)
def check_account(account_id: int) -> bool:
    account = ConnectedAccount.objects.select_related("workspace").filter(pk=account_id).first()
    return services.check(account) if account else False


@shared_task(name="connections.tasks.check_accounts", time_limit=60, soft_time_limit=50)
def check_accounts() -> int:
    """Hourly health check of every active account: the "last sync" the page shows."""
    ids = list(
        ConnectedAccount.objects.filter(status=ConnectedAccount.Status.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        check_account.delay(pk)
    return len(ids)
