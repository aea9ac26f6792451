"""YouTube comments arrive by polling: each channel's newest comment threads, every
INBOX_POLL_SECONDS, page by page until the threads are older than what we already hold."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connections.errors import AuthExpired, PlatformError
from connections.models import ConnectedAccount
from connections.platforms import Platform
from connections.services import mark_needs_reconnect

from . import platform_calls
from .events import InboundItem, parse_iso
from .ingest import ingest_for
from .models import PollState

log = logging.getLogger(__name__)

MAX_PAGES = 5
# Overlap with the last poll: a comment published just before it may be listed late.
OVERLAP = timedelta(hours=1)


def due_accounts() -> list[ConnectedAccount]:
    cutoff = timezone.now() - timedelta(seconds=settings.INBOX_POLL_SECONDS)
    return list(
        ConnectedAccount.objects.filter(
            platform=Platform.YOUTUBE, status=ConnectedAccount.Status.ACTIVE
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
        for item in _items(account, since):
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


def _items(account: ConnectedAccount, since: Any) -> Iterator[InboundItem]:
    page_token = ""
    for _ in range(MAX_PAGES):
        body = platform_calls.youtube_threads(account, page_token)
        threads = body.get("items") or []
        older = False
        for thread in threads:
            top = thread["snippet"]["topLevelComment"]
            if since and parse_iso(top["snippet"]["publishedAt"]) < since:
                older = True
            yield _item(account, thread, top, thread["snippet"].get("videoId", ""))
            for reply in (thread.get("replies") or {}).get("comments", []):
                yield _item(account, thread, reply, thread["snippet"].get("videoId", ""))
        page_token = body.get("nextPageToken") or ""
        if older or not page_token:
            return


def _item(account: ConnectedAccount, thread: dict, comment: dict, video_id: str) -> InboundItem:
    snippet = comment["snippet"]
    author = (snippet.get("authorChannelId") or {}).get("value", "")
    return InboundItem(
        platform=Platform.YOUTUBE,
        account_external_id=account.external_id,
        kind="comment",
        thread_key=thread["id"],
        external_id=comment["id"],
        participant_id=author,
        participant_name=snippet.get("authorDisplayName", ""),
        participant_avatar_url=snippet.get("authorProfileImageUrl", ""),
        text=snippet.get("textOriginal") or snippet.get("textDisplay", ""),
        sent_at=parse_iso(snippet["publishedAt"]),
        external_post_id=video_id,
        from_account=author == account.external_id,
    )
