"""Moving a post to another time (a drag in the calendar, a swap in an account's queue):
the rules of an edit. Only what is not publishing or published moves, never into the past,
and only if its time is still the one the person saw; a scheduled post is rescheduled when
the person may skip review (plan limits included), otherwise it goes back to review."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import Membership
from mixora.errors import UserFacingError

from . import workflow
from .models import Post
from .schedule_rules import local_time, require_future
from .states import EDITABLE


def _require_movable(post: Post) -> None:
    if post.stage in (Post.Stage.PUBLISHED, Post.Stage.EXPIRED) or (
        post.targets.exclude(state__in=EDITABLE).exists()
    ):
        raise UserFacingError(f"“{post}” is publishing or published: it can no longer move.")


def _require_as_seen(post: Post, seen: datetime | None) -> None:
    if post.scheduled_at is None or post.scheduled_at != seen:
        raise UserFacingError(
            f"“{post}” changed time after you opened this page. Nothing was moved: "
            "look at it again."
        )


def _reschedule(post: Post, actor: Membership, when: datetime) -> None:
    require_future(when, tz=post.workspace.timezone)
    post.scheduled_at = when
    post.save(update_fields=["scheduled_at", "updated_at"])
    if post.stage != Post.Stage.SCHEDULED:
        return  # a draft or a post in review just takes the time (a review sees the change)
    if workflow.may_skip_review(actor):
        workflow.schedule(post, actor)  # refused (plan limit, content): the caller rolls back
    else:
        workflow.after_edit(post, actor)  # back to review, as an edit


def _locked(posts: list[Post]) -> list[Post]:
    """The posts again, locked in primary-key order (two swaps at once cannot deadlock)."""
    locked = Post.objects.select_for_update().select_related("workspace")
    by_pk = {p.pk: p for p in locked.filter(pk__in=[p.pk for p in posts]).order_by("pk")}
    return [by_pk[p.pk] for p in posts]


def describe(post: Post) -> str:
    """Where the post now stands, for the message after a move."""
    when = local_time(post.scheduled_at, post.workspace.timezone)
    if post.stage == Post.Stage.IN_REVIEW:
        return f"Moved “{post}” to {when}. It waits for review before it is published."
    return f"Moved “{post}” to {when}."


@transaction.atomic
def move_post(post: Post, actor: Membership, when: datetime, *, seen: datetime | None) -> Post:
    """Move `post` to `when` (aware) if its time is still `seen`. A refusal changes nothing."""
    (post,) = _locked([post])
    _require_movable(post)
    _require_as_seen(post, seen)
    if when != post.scheduled_at:
        _reschedule(post, actor, when)
    return post


@transaction.atomic
def swap(
    first: Post,
    first_seen: datetime | None,
    second: Post,
    second_seen: datetime | None,
    actor: Membership,
) -> tuple[Post, Post]:
    """Exchange two posts' times (Move up / Move down in a queue), both or neither."""
    if first.pk == second.pk:
        raise UserFacingError("Choose two different posts.")
    first, second = _locked([first, second])
    for post, seen in ((first, first_seen), (second, second_seen)):
        _require_movable(post)
        _require_as_seen(post, seen)
    first_at, second_at = first.scheduled_at, second.scheduled_at
    _reschedule(first, actor, second_at)
    _reschedule(second, actor, first_at)
    return first, second
