"""Publishing scheduled targets: never lost, never twice.

The dispatcher claims due targets with SELECT … FOR UPDATE SKIP LOCKED, marks them QUEUED and,
after commit, sends one fan-out task per batch that enqueues one publish task per target. A
task claims its target with a conditional UPDATE (QUEUED → PUBLISHING), so a redelivered or
duplicated message does nothing. Before each
platform call the target is marked `outcome_unknown`; only a definite answer clears it. A
target whose outcome is unknown (a timeout after the platform accepted, a worker killed
mid-call) is reconciled against the platform before anything is sent again."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace
from connections import services as connection_services
from connections import throttle
from connections.errors import AuthExpired, PlatformError, RateLimited, Retryable
from connections.models import ConnectedAccount
from connections.platforms.base import MediaItem, Published, PublishRequest
from connections.platforms.registry import connector_for
from mixora import limits
from notifications.models import Notification

from .models import Post, PostTarget, QueuePause
from .payloads import settle
from .states import move

log = logging.getLogger(__name__)
S = PostTarget.State

BATCH_SIZE = 500
MAX_ATTEMPTS = 6
# Longer than a publish task may run (its hard time limit): after this a PUBLISHING target
# is presumed abandoned by a dead worker and goes back to the queue, outcome unknown.
LEASE = timedelta(minutes=12)
MEDIA_URL_LIFETIME = 6 * 3600
# A post not out this long after its time expires; its media copies are then deleted.
EXPIRY_GRACE = timedelta(days=7)
# Clock skew allowance when matching a platform's post times against ours.
RECONCILE_MARGIN = timedelta(minutes=5)
UNFINISHED = [S.SCHEDULED, S.QUEUED, S.FAILED, S.NEEDS_ATTENTION]


# --- Dispatching ---------------------------------------------------------------------------


def dispatch_due(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Claim every due target in batches and enqueue one publish task per target."""
    now = now or timezone.now()
    recovered = recover_abandoned(now)
    claimed = 0
    due = PostTarget.objects.filter(
        state=S.SCHEDULED, due_at__lte=now, post__stage=Post.Stage.SCHEDULED
    ).exclude(account__status=ConnectedAccount.Status.PAUSED)
    due = due.exclude(account__queue_pause__isnull=False)  # a paused queue (publishing.queue)
    # Paused publishing (a read-only workspace, a paused account or queue) leaves targets
    # SCHEDULED and due: they go out on the first run after the pause ends.
    due = due.exclude(post__workspace__in=paused_workspaces(due))
    while True:
        with transaction.atomic():
            ids = list(
                due.order_by("due_at", "pk")
                .select_for_update(skip_locked=True, no_key=True, of=("self",))
                .values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                PostTarget.objects.filter(pk__in=ids).update(state=S.QUEUED, queued_at=now)
                transaction.on_commit(partial(_fan_out, ids))
        claimed += len(ids)
        if len(ids) < batch_size:
            if recovered:
                log.info("dispatched %d targets, %d of them recovered", claimed, recovered)
            return claimed


def paused_workspaces(targets: QuerySet[PostTarget]) -> list[int]:
    """Workspaces among `targets`' whose publishing is paused (read-only: mixora.limits)."""
    ids = targets.values_list("post__workspace_id", flat=True).distinct()
    return [ws.pk for ws in Workspace.objects.filter(pk__in=ids) if publishing_paused(ws)]


def publishing_paused(workspace: Workspace) -> str:
    """Why nothing of `workspace` is published now ("" when it is)."""
    return limits.entitlements(workspace).read_only


def _fan_out(ids: list[int]) -> None:
    """One small message per claimed batch: the dispatcher's own time stays the claim time,
    however many posts are due; a worker expands the batch (`enqueue`)."""
    from .tasks import enqueue_publishes

    enqueue_publishes.delay(ids)


def enqueue(ids: list[int]) -> int:
    """One publish task per target, sent through one producer in pipelined batches."""
    from .tasks import publish_target

    with publish_target.app.producer_or_acquire() as producer, producer.batch():
        for pk in ids:
            publish_target.apply_async(args=[pk], producer=producer)
    return len(ids)


def recover_abandoned(now: datetime) -> int:
    """Targets a dead worker left PUBLISHING, or whose queue message was lost, go back to
    SCHEDULED; their outcome stays unknown, so the next attempt reconciles first."""
    stale = now - LEASE
    lost = PostTarget.objects.filter(state=S.PUBLISHING, attempt_started_at__lt=stale).update(
        state=S.SCHEDULED, due_at=now
    )
    lost += PostTarget.objects.filter(state=S.QUEUED, queued_at__lt=stale).update(
        state=S.SCHEDULED, due_at=now
    )
    if lost:
        log.warning("re-queued %d abandoned targets", lost)
    return lost


# --- Publishing one target ----------------------------------------------------------------


class _Checkpoint:
    def __init__(self, target: PostTarget) -> None:
        self.target = target
        self.data: dict[str, Any] = dict(target.checkpoint)

    def save(self, **values: Any) -> None:
        self.data.update(values)
        PostTarget.objects.filter(pk=self.target.pk).update(checkpoint=self.data)


def _media_items(target: PostTarget) -> tuple[MediaItem, ...]:
    """The media this target's account receives (its own set, or the post's shared one)."""
    items = []
    for attachment in target.attachments.select_related("media"):
        name = attachment.payload.name or attachment.media.file.name
        items.append(
            MediaItem(
                kind=attachment.media.kind,
                content_type=attachment.media.content_type,
                size=attachment.media.size,
                url=_absolute_url(name),
                open=partial(default_storage.open, name, "rb"),
                duration=attachment.media.duration,
            )
        )
    return tuple(items)


def _absolute_url(name: str) -> str:
    from django.conf import settings

    url = default_storage.url(name, expire=MEDIA_URL_LIFETIME)  # both storages sign and expire
    return url if url.startswith("http") else settings.SITE_URL + url


def request_for(target: PostTarget) -> PublishRequest:
    known: frozenset[str] = frozenset()
    if target.outcome_unknown:  # only a reconciliation reads them: skip the query otherwise
        recorded = (
            PostTarget.objects.filter(account_id=target.account_id)
            .exclude(platform_post_id="")
            .exclude(pk=target.pk)
        )
        known = frozenset(recorded.values_list("platform_post_id", flat=True))
    return PublishRequest(
        text=target.text, media=_media_items(target), options=dict(target.options), known_ids=known
    )


def publish_one(target_id: int) -> str:
    """Publish one target if it is still queued. Returns what happened, for logs and tests."""
    now = timezone.now()
    if not PostTarget.objects.filter(pk=target_id, state=S.QUEUED).update(
        state=S.PUBLISHING, attempt_started_at=now, attempts=F("attempts") + 1
    ):
        return "skipped"
    target = (
        PostTarget.objects.select_related("account__workspace", "post__workspace")
        .annotate(queue_paused=Exists(QueuePause.objects.filter(account=OuterRef("account_id"))))
        .get(pk=target_id)
    )
    if target.post.stage != Post.Stage.SCHEDULED:  # unscheduled or sent back meanwhile
        move(target.pk, S.DRAFT, only_from=[S.PUBLISHING], due_at=None)
        return "unscheduled"
    account = target.account
    if (
        account.status == ConnectedAccount.Status.PAUSED
        or publishing_paused(target.post.workspace)
        or target.queue_paused
    ):  # paused since it was claimed: back to waiting, as it was
        move(target.pk, S.SCHEDULED, only_from=[S.PUBLISHING], attempts=F("attempts") - 1)
        return "paused"
    if not account.is_healthy:
        _hold(target, f"{account} needs reconnecting.")
        return "held"
    client = connector_for(account)
    request = request_for(target)
    checkpoint = _Checkpoint(target)
    try:
        if target.outcome_unknown:
            found = _reconcile(target, request, checkpoint)
            if found is not None:
                _finish(target, found)
                return "reconciled"
        if budget := client.publish_budget:
            slot = throttle.take(account.pk, budget)
            if not slot.granted:
                _wait_for_budget(target, client.platform_label, budget, slot.reset_at)
                return "throttled"
        # Still this attempt's (a thread pool enforces no hard time limit: a stalled attempt
        # may have outlived its lease and been taken over), or nothing is sent.
        if not PostTarget.objects.filter(
            pk=target.pk, state=S.PUBLISHING, attempt_started_at=now
        ).update(outcome_unknown=True):
            return "superseded"
        result = connection_services.call_with_refresh(
            account, lambda: client.publish(account, request, checkpoint)
        )
    except CannotConfirm as exc:
        checkpoint.save(confirm_needed=True)
        _hold(target, exc.message)
        return "held"
    except AuthExpired as exc:
        connection_services.mark_needs_reconnect(account, exc.message)
        _hold(target, exc.message)
        return "held"
    except RateLimited as exc:
        if budget := client.publish_budget:
            throttle.close(account.pk, budget, exc.retry_at)  # the account's other posts wait
        _retry_at(target, exc.retry_at, exc.message)
        return "rate-limited"
    except Retryable as exc:
        if target.attempts >= MAX_ATTEMPTS:
            _fail(target, f"Gave up after {target.attempts} attempts: {exc.message}")
            return "failed"
        _retry_at(target, now + backoff(target.attempts), exc.message)
        return "retrying"
    except PlatformError as exc:  # Permanent, or anything else classified: no retry
        _fail(target, exc.message)
        return "failed"
    _finish(target, result)
    return "published"


class CannotConfirm(PlatformError):
    """An earlier attempt may have published, and nothing identifies its post."""


def _reconcile(
    target: PostTarget, request: PublishRequest, checkpoint: _Checkpoint
) -> Published | None:
    """What an earlier attempt of this target published, if anything. Errors propagate and
    leave `outcome_unknown` set: the next attempt looks again."""
    account = target.account
    client = connector_for(account)
    if not request.text.strip() and not checkpoint.data:
        raise CannotConfirm(
            f"Mixora cannot tell whether an earlier attempt reached {account}: a post "
            "without text cannot be matched. Check the account, then retry if it is not "
            "there.",
            platform=account.platform,
        )
    # Any attempt since the post was first due may have landed.
    since = (target.post.scheduled_at or timezone.now()) - RECONCILE_MARGIN
    return connection_services.call_with_refresh(
        account, lambda: client.find_published(account, request, checkpoint.data, since)
    )


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s, 1, 2, 4, 8 minutes…"""
    ceiling = min(30 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - not crypto


def _finish(target: PostTarget, published: Published) -> None:
    moved = move(
        target.pk,
        S.PUBLISHED,
        only_from=[S.PUBLISHING],
        platform_post_id=published.post_id,
        permalink=published.permalink,
        published_at=timezone.now(),
        outcome_unknown=False,
        checkpoint={},
        last_error="",
    )
    if moved:
        connection_services.record_success(target.account)
        settle(target.post_id)


def _wait_for_budget(
    target: PostTarget, network: str, budget: throttle.Budget, reset_at: datetime
) -> None:
    """No slot left in the account's window: back to waiting until it resets, nothing sent
    and no attempt counted."""
    minutes = budget.seconds // 60
    reason = (
        f"{network} accepts {budget.posts} posts per {minutes} minutes from one account; "
        "this one goes out when the window resets."
    )
    move(
        target.pk,
        S.SCHEDULED,
        only_from=[S.PUBLISHING],
        due_at=reset_at,
        attempts=F("attempts") - 1,
        last_error=reason,
    )


# Errors never clear `outcome_unknown`: once an attempt was made, the next one looks first.
def _retry_at(target: PostTarget, when: datetime, reason: str) -> None:
    move(target.pk, S.SCHEDULED, only_from=[S.PUBLISHING], due_at=when, last_error=reason[:500])


def _hold(target: PostTarget, reason: str) -> None:
    if move(target.pk, S.NEEDS_ATTENTION, only_from=[S.PUBLISHING], last_error=reason[:500]):
        _tell_author(target, f"Not published to {target.account}: {reason}")


def _fail(target: PostTarget, reason: str) -> None:
    if move(target.pk, S.FAILED, only_from=[S.PUBLISHING], last_error=reason[:500]):
        _tell_author(target, f"Publishing to {target.account} failed: {reason}")


def _tell_author(target: PostTarget, message: str) -> None:
    from mixora.emails import send_templated

    post = target.post
    url = reverse("post_detail", args=[post.workspace.slug, post.pk])
    if post.author_id is None:
        return
    Notification.objects.create(
        user_id=post.author_id, workspace=post.workspace, message=message[:300], url=url
    )
    send_templated(
        "post_not_published",
        post.author.email,
        {"post": post, "target": target, "message": message, "url": url},
    )


# --- Expiry ------------------------------------------------------------------------------


def expire_missed(now: datetime | None = None) -> int:
    """Posts whose time passed more than EXPIRY_GRACE ago without going out everywhere:
    their unpublished targets expire, and once nothing of the post is in flight its stage
    settles and the publishing copies of its media are deleted."""
    now = now or timezone.now()
    cutoff = now - EXPIRY_GRACE
    expired = 0
    posts = Post.objects.filter(scheduled_at__lt=cutoff, targets__state__in=UNFINISHED).distinct()
    for post in posts:
        with transaction.atomic():
            for target in post.targets.filter(state__in=UNFINISHED):
                expired += move(target.pk, S.EXPIRED, only_from=UNFINISHED)
        settle(post.pk)  # waits while a target is queued or publishing
    return expired
