"""Networks that are polled (YouTube, which has no webhooks; LinkedIn, as a reconcile of its
webhooks): each account's network lists what is newer than what we already hold, as often as
the network says (`poll_interval_seconds`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

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
    """Active accounts of polled networks whose network's interval has passed (each network
    decides per account, e.g. by activity and quota)."""
    now = timezone.now()
    candidates = (
        ConnectedAccount.objects.filter(
            platform__in=[n.platform for n in networks() if n.polls_inbox],
            status=ConnectedAccount.Status.ACTIVE,
        )
        .select_related("workspace", "inbox_poll")
        .order_by("pk")
    )
    return [account for account in candidates if _due(account, now)]


def _due(account: ConnectedAccount, now: datetime) -> bool:
    state = getattr(account, "inbox_poll", None)
    if state is None or state.last_polled_at is None:  # never, or a first poll that died
        return True
    interval = network_for(account).poll_interval_seconds(account)
    return state.last_polled_at < now - timedelta(seconds=interval)


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
        # Only a walk that finished moves the bookmark: items come newest first, so one that
        # stopped halfway has not seen the older ones after where it stopped.
        state.last_error = ""
        state.newest_seen_at = newest
    state.last_polled_at = timezone.now()
    state.save()
    return new
