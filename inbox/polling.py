"""Networks without webhooks (YouTube) are polled: each account's network lists what is newer
than what we already hold, every INBOX_POLL_SECONDS."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connections.errors import AuthExpired, PlatformError
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for, networks
from connections.services import mark_needs_reconnect

from .ingest import ingest_for
from .models import PollState

log = logging.getLogger(__name__)

# Overlap with the last poll: a comment published just before it may be listed late.
OVERLAP = timedelta(hours=1)


def due_accounts() -> list[ConnectedAccount]:
    cutoff = timezone.now() - timedelta(seconds=settings.INBOX_POLL_SECONDS)
    return list(
        ConnectedAccount.objects.filter(
            platform__in=[n.platform for n in networks() if n.polls_inbox],
            status=ConnectedAccount.Status.ACTIVE,
        )
        .filter(
            Q(inbox_poll__isnull=True)
            | Q(inbox_poll__last_polled_at__isnull=True)  # a first poll that never finished
            | Q(inbox_poll__last_polled_at__lt=cutoff)
        )
        .select_related("workspace")
    )


def poll(account: ConnectedAccount) -> int:
    """Fetch new comments of one channel; how many were new."""
    state, _ = PollState.objects.get_or_create(account=account)
    since = state.newest_seen_at - OVERLAP if state.newest_seen_at else None
    new, newest = 0, state.newest_seen_at
    try:
        for item in network_for(account).poll(account, since):
            newest = max(newest, item.sent_at) if newest else item.sent_at
            if ingest_for(account, item):
                new += 1
    except AuthExpired as exc:
        mark_needs_reconnect(account, exc.message)
        state.last_error = exc.message[:300]
    except PlatformError as exc:
        log.info("polling %s failed: %s", account.pk, exc.message)
        state.last_error = exc.message[:300]
    else:
        state.last_error = ""
    state.last_polled_at = timezone.now()
    state.newest_seen_at = newest
    state.save()
    return new
