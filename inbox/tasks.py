"""Celery tasks of the inbox."""

from __future__ import annotations

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from connections.errors import Retryable

from . import avatars, deliveries, polling, replies, retention
from .models import Conversation


@shared_task(
    name="inbox.tasks.process_delivery",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    time_limit=120,
    soft_time_limit=110,
)
def process_delivery(delivery_id: int) -> int:
    # Idempotent: a processed delivery is gone, and messages are unique per platform id. Takes
    # other waiting deliveries along (deliveries.process_batch).
    return deliveries.process_batch(delivery_id)


@shared_task(name="inbox.tasks.process_stale_deliveries", time_limit=55, soft_time_limit=50)
def process_stale_deliveries() -> int:
    """Deliveries whose task was lost or failed for good get another go."""
    ids = deliveries.stale_ids()
    for delivery_id in ids:
        process_delivery.delay(delivery_id)
    return len(ids)


@shared_task(name="inbox.tasks.send_reply", acks_late=True, time_limit=60, soft_time_limit=50)
def send_reply(message_id: int) -> str:
    # Never retried automatically: a reply that failed waits for a person to retry it.
    return replies.send(message_id)


@shared_task(name="inbox.tasks.sweep_replies", time_limit=55, soft_time_limit=50)
def sweep_replies() -> int:
    return replies.sweep()


@shared_task(name="inbox.tasks.poll_accounts", time_limit=55, soft_time_limit=50)
def poll_accounts() -> int:
    accounts = polling.due_accounts()
    for account in accounts:
        poll_account.delay(account.pk)
    return len(accounts)


@shared_task(name="inbox.tasks.poll_account", time_limit=120, soft_time_limit=110)
def poll_account(account_id: int) -> int:
    from connections.models import ConnectedAccount

    account = ConnectedAccount.objects.filter(pk=account_id).first()
    return polling.poll(account) if account else 0


@shared_task(name="inbox.tasks.wake_snoozed", time_limit=55, soft_time_limit=50)
def wake_snoozed() -> int:
    return Conversation.objects.filter(
        status=Conversation.Status.SNOOZED, snoozed_until__lte=timezone.now()
    ).update(status=Conversation.Status.OPEN, snoozed_until=None, updated_at=timezone.now())


@shared_task(name="inbox.tasks.purge_expired", time_limit=3500, soft_time_limit=3400)
def purge_expired() -> int:
    return retention.purge_all()


# A host that timed out or answered 5xx/429 is tried again with backoff; a refusal retrying
# cannot fix returns at once (the thread keeps its initials). One policy for both tasks.
RETRY_BACKOFF, RETRY_BACKOFF_MAX, MAX_RETRIES = 30, 1800, 5


@shared_task(
    name="inbox.tasks.fetch_participant_avatars",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    time_limit=90,
    soft_time_limit=80,
)
def fetch_participant_avatars(self: Task, conversation_ids: list[int]) -> dict[int, str]:
    copies = avatars.fetch_many(conversation_ids)
    if copies.later:
        # Only the pictures that may work later go again, each with its own retry count:
        # the batch's others are done (or refused) and are not fetched twice.
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF,
            retries=self.request.retries,
            maximum=RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        first = next(iter(copies.later.values()))
        raise self.retry(args=[list(copies.later)], exc=first, countdown=countdown)
    return copies.outcomes


# One picture: what ingest queued before batches; messages still queued across a deploy.
@shared_task(
    name="inbox.tasks.fetch_participant_avatar",
    acks_late=True,
    autoretry_for=(Retryable,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    max_retries=MAX_RETRIES,
    time_limit=90,
    soft_time_limit=80,
)
def fetch_participant_avatar(conversation_id: int) -> str:
    return avatars.fetch(conversation_id)
