"""Publishing scheduled targets: never lost, never twice.

The dispatcher claims due targets with SELECT … FOR UPDATE SKIP LOCKED, marks them QUEUED and,
after commit, sends one fan-out task per batch that splits it into publish tasks of a few dozen
targets. A task claims its targets with a conditional UPDATE (QUEUED → PUBLISHING), so a
redelivered or duplicated message does nothing, and makes their platform calls at the same
time (publishing.calls). Before a platform call the target is marked `outcome_unknown`; only a
definite answer clears it. A target whose outcome is unknown (a timeout after the platform
accepted, a worker killed mid-call) is reconciled against the platform before anything is sent
again."""

from __future__ import annotations

import json
import logging
from contextlib import closing
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Workspace
from connections import services as connection_services
from connections import throttle
from connections.errors import AuthExpired, PlatformError, RateLimited, Retryable
from connections.models import ConnectedAccount
from connections.platforms.base import MediaItem, Published, PublishRequest
from connections.platforms.registry import connector_for
from mixora import limits

from . import calls, outcomes
from .models import Post, PostMedia, PostTarget, QueuePause
from .outcomes import backoff
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
    reasons = limits.read_only_reasons(Workspace.objects.filter(pk__in=ids))
    return [pk for pk, reason in reasons.items() if reason]


def publishing_paused(workspace: Workspace) -> str:
    """Why nothing of `workspace` is published now ("" when it is)."""
    return limits.entitlements(workspace).read_only


def _fan_out(ids: list[int]) -> None:
    """One small message per claimed batch: the dispatcher's own time stays the claim time,
    however many posts are due; a worker expands the batch (`enqueue`)."""
    from .tasks import enqueue_publishes

    enqueue_publishes.delay(ids)


def enqueue(ids: list[int]) -> int:
    """One publish task per PUBLISH_TASK_SIZE targets, sent through one producer in
    pipelined batches."""
    from django.conf import settings

    from .tasks import publish_targets

    size = settings.PUBLISH_TASK_SIZE
    with publish_targets.app.producer_or_acquire() as producer, producer.batch():
        for start in range(0, len(ids), size):
            publish_targets.apply_async(args=[ids[start : start + size]], producer=producer)
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


# --- Publishing --------------------------------------------------------------------------


class _Checkpoint:
    def __init__(self, target: PostTarget) -> None:
        self.target = target
        self.data: dict[str, Any] = dict(target.checkpoint)

    def save(self, **values: Any) -> None:
        self.data.update(values)
        calls.on_callers_thread(partial(_write_checkpoint, self.target.pk, json.dumps(self.data)))


def _write_checkpoint(target_id: int, data: str) -> None:
    # Written out: one per post, on the batch's thread, and the ORM's UPDATE cost more CPU.
    table = PostTarget._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET checkpoint = %s WHERE id = %s",  # noqa: S608 - model's table
            [data, target_id],
        )


def _media_by_target(targets: list[PostTarget]) -> dict[int, tuple[MediaItem, ...]]:
    """The media each target's account receives (its own set, or the post's shared one, as
    `PostTarget.attachments` says), read for the whole batch at once."""
    rows = PostMedia.objects.filter(post_id__in={t.post_id for t in targets}).select_related(
        "media"
    )
    by_set: dict[tuple[int, int | None], list[MediaItem]] = {}
    for attachment in rows:  # in the model's order: position, id
        name = attachment.payload.name or attachment.media.file.name
        by_set.setdefault((attachment.post_id, attachment.account_id), []).append(
            MediaItem(
                kind=attachment.media.kind,
                content_type=attachment.media.content_type,
                size=attachment.media.size,
                url=_absolute_url(name),
                open=partial(default_storage.open, name, "rb"),
                duration=attachment.media.duration,
            )
        )
    return {
        t.pk: tuple(by_set.get((t.post_id, t.account_id if t.own_media else None), ()))
        for t in targets
    }


def _absolute_url(name: str) -> str:
    from django.conf import settings

    url = default_storage.url(name, expire=MEDIA_URL_LIFETIME)  # both storages sign and expire
    return url if url.startswith("http") else settings.SITE_URL + url


def _request_for(target: PostTarget, media: tuple[MediaItem, ...]) -> PublishRequest:
    known: frozenset[str] = frozenset()
    if target.outcome_unknown:  # only a reconciliation reads them: skip the query otherwise
        recorded = (
            PostTarget.objects.filter(account_id=target.account_id)
            .exclude(platform_post_id="")
            .exclude(pk=target.pk)
        )
        known = frozenset(recorded.values_list("platform_post_id", flat=True))
    return PublishRequest(
        text=target.text, media=media, options=dict(target.options), known_ids=known
    )


def publish_one(target_id: int) -> str:
    """Publish one target if it is still queued. Returns what happened, for logs and tests."""
    return publish_many([target_id])[target_id]


def publish_many(target_ids: list[int]) -> dict[int, str]:
    """Publish each of the targets still queued, their platform calls at the same time (with
    a fixed handful of queries for the batch and one per post). What happened to each:
    "skipped" when it was not queued (another attempt has it, or it is done); "handed off"
    when its call still ran as the task stopped waiting (it records its own outcome)."""
    calls.wait_for_room(len(target_ids))
    now = timezone.now()
    happened = dict.fromkeys(target_ids, "skipped")
    claimed = PostTarget.objects.filter(pk__in=target_ids, state=S.QUEUED).update(
        state=S.PUBLISHING, attempt_started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return happened
    # `attempt_started_at` is this attempt's mark: only what this claim took.
    targets = list(
        PostTarget.objects.filter(pk__in=target_ids, state=S.PUBLISHING, attempt_started_at=now)
        .select_related("account__workspace", "post__workspace")
        .annotate(queue_paused=Exists(QueuePause.objects.filter(account=OuterRef("account_id"))))
    )
    ready = _ready(targets, happened)
    if not ready:
        return happened
    fresh = [t.pk for t in ready if not t.outcome_unknown]
    if fresh:  # outcome unknown from here until a definite answer
        PostTarget.objects.filter(pk__in=fresh, state=S.PUBLISHING, attempt_started_at=now).update(
            outcome_unknown=True
        )
    media = _media_by_target(ready)
    happened.update(dict.fromkeys([t.pk for t in ready], "handed off"))
    attempts = {t.pk: _Attempt(t, _request_for(t, media[t.pk]), now) for t in ready}
    errors: list[Exception] = []

    def record_late(finished: calls.Finished) -> None:  # on the call's own thread, later
        late_errors: list[Exception] = []
        _record(finished, attempts, happened, late_errors)
        for exc in late_errors:
            log.error("publishing target %s failed", finished[0][0], exc_info=exc)

    made = calls.made_together({pk: a.run for pk, a in attempts.items()}, late=record_late)
    with closing(made) as groups:
        for finished in groups:
            _record(finished, attempts, happened, errors)
    if errors:
        raise errors[0]
    return happened


def _record(
    finished: calls.Finished,
    attempts: dict[int, _Attempt],
    happened: dict[int, str],
    errors: list[Exception],
) -> None:
    """The outcomes of a group of finished calls: the published in one write."""
    published = []
    for pk, future in finished:
        attempt = attempts[pk]
        try:
            result = future.result()
        except PlatformError as exc:
            happened[pk] = _failed(attempt, exc)
            continue
        except Exception as exc:  # noqa: BLE001 - the others' outcomes are recorded first
            # Left PUBLISHING with its outcome unknown: the lease sweep reconciles it.
            errors.append(exc)
            continue
        happened[pk] = attempt.outcome
        if result is not None:
            published.append((attempt.target, result))
    outcomes.finish_many(published)


def _ready(targets: list[PostTarget], happened: dict[int, str]) -> list[PostTarget]:
    """The claimed targets that may be sent now; the others go where they belong."""
    paused = limits.read_only_reasons(list({t.post.workspace for t in targets}))
    ready = []
    for target in targets:
        account, workspace = target.account, target.post.workspace
        if target.post.stage != Post.Stage.SCHEDULED:  # unscheduled or sent back meanwhile
            move(target.pk, S.DRAFT, only_from=[S.PUBLISHING], due_at=None)
            happened[target.pk] = "unscheduled"
        elif (
            account.status == ConnectedAccount.Status.PAUSED
            or paused[workspace.pk]
            or target.queue_paused
        ):  # paused since it was claimed: back to waiting, as it was
            move(target.pk, S.SCHEDULED, only_from=[S.PUBLISHING], attempts=F("attempts") - 1)
            happened[target.pk] = "paused"
        elif not account.is_healthy:
            outcomes.hold(target, f"{account} needs reconnecting.")
            happened[target.pk] = "held"
        elif target.outcome_unknown or _slot(target):
            ready.append(target)
        else:
            happened[target.pk] = "throttled"
    return ready


def _slot(target: PostTarget) -> bool:
    """Count the post against its account's budget; without a slot it waits for the reset."""
    client = connector_for(target.account)
    budget = client.publish_budget
    if not budget:
        return True
    slot = throttle.take(target.account_id, budget)
    if not slot.granted:
        calls.on_callers_thread(
            partial(outcomes.wait_for_budget, target, client.platform_label, budget, slot.reset_at)
        )
    return slot.granted


class _Attempt:
    """One target's platform calls: reconcile first when an earlier attempt may have landed,
    then publish. Runs on a pool thread; its outcome is recorded by the batch."""

    def __init__(self, target: PostTarget, request: PublishRequest, started: datetime) -> None:
        self.target = target
        self.request = request
        self.started = started
        self.checkpoint = _Checkpoint(target)
        self.outcome = "published"

    def run(self) -> Published | None:
        target, account = self.target, self.target.account
        client = connector_for(account)
        if target.outcome_unknown:
            found = _reconcile(target, self.request, self.checkpoint)
            if found is not None:
                self.outcome = "reconciled"
                return found
            if not _slot(target):
                self.outcome = "throttled"
                return None
            if not self._still_ours():
                return None
        elif timezone.now() - self.started > LEASE / 2 and not self._still_ours():
            return None  # waited long for a thread: the lease sweep may have taken it over
        return connection_services.call_with_refresh(
            account, lambda: client.publish(account, self.request, self.checkpoint)
        )

    def _still_ours(self) -> bool:
        mine = PostTarget.objects.filter(
            pk=self.target.pk, state=S.PUBLISHING, attempt_started_at=self.started
        )
        ours = calls.on_callers_thread(lambda: mine.update(outcome_unknown=True))
        if not ours:
            self.outcome = "superseded"
        return bool(ours)


def _failed(attempt: _Attempt, exc: PlatformError) -> str:
    """Where a platform's refusal or silence leaves the target; what happened."""
    target, account = attempt.target, attempt.target.account
    if isinstance(exc, CannotConfirm):
        attempt.checkpoint.save(confirm_needed=True)
        outcomes.hold(target, exc.message)
        return "held"
    if isinstance(exc, AuthExpired):
        connection_services.mark_needs_reconnect(account, exc.message)
        outcomes.hold(target, exc.message)
        return "held"
    if isinstance(exc, RateLimited):
        if budget := connector_for(account).publish_budget:
            throttle.close(account.pk, budget, exc.retry_at)  # the account's other posts wait
        outcomes.retry_at(target, exc.retry_at, exc.message)
        return "rate-limited"
    if isinstance(exc, Retryable):
        if target.attempts >= MAX_ATTEMPTS:
            outcomes.fail(target, f"Gave up after {target.attempts} attempts: {exc.message}")
            return "failed"
        outcomes.retry_at(target, attempt.started + backoff(target.attempts), exc.message)
        return "retrying"
    outcomes.fail(target, exc.message)  # Permanent, or anything else: no retry
    return "failed"


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
