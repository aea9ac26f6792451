"""What an attempt's outcome does to its targets. Every write is a conditional move out of
PUBLISHING (publishing.states), so an outcome lands only on the attempt that produced it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from connections import services as connection_services
from connections import throttle
from connections.platforms.base import Published
from notifications.models import Notification

from .models import PostTarget
from .payloads import settle_many
from .states import move

S = PostTarget.State


def finish_many(published: Sequence[tuple[PostTarget, Published]]) -> None:
    """Record the platform's posts of a batch, then settle their posts. One statement sent
    for all in one round trip, written out: the ORM's per-row CASE cost more CPU to compose
    than the publish itself."""
    if not published:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"UPDATE {PostTarget._meta.db_table} SET state = %s, platform_post_id = %s,"  # noqa: S608 - table name from the model
        " permalink = %s, published_at = %s, outcome_unknown = %s, checkpoint = %s,"
        " last_error = '' WHERE id = %s AND state = %s"
    )
    rows = [
        (S.PUBLISHED, result.post_id, result.permalink, now, False, "{}", target.pk, S.PUBLISHING)
        for target, result in published
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    accounts = {target.account_id: target.account for target, _ in published}
    for account in accounts.values():
        connection_services.record_success(account)
    settle_many(sorted({target.post_id for target, _ in published}))


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s, 1, 2, 4, 8 minutes…"""
    ceiling = min(30 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - not crypto


def wait_for_budget(
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
def retry_at(target: PostTarget, when: datetime, reason: str) -> None:
    move(target.pk, S.SCHEDULED, only_from=[S.PUBLISHING], due_at=when, last_error=reason[:500])


def hold(target: PostTarget, reason: str) -> None:
    if move(target.pk, S.NEEDS_ATTENTION, only_from=[S.PUBLISHING], last_error=reason[:500]):
        _tell_author(target, f"Not published to {target.account}: {reason}")


def fail(target: PostTarget, reason: str) -> None:
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
