"""The team workflow around a post: review, approval, scheduling, and retrying."""

from __future__ import annotations

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User, Workspace
from accounts.roles import Capability, Role
from mixora import limits
from mixora.errors import UserFacingError
from notifications.services import notify_workspace

from . import composer
from .limits import month_bounds_utc, scheduled_in_month
from .models import Post, PostComment, PostTarget, ReviewDecision, payload_path
from .payloads import delete_payload
from .review import content_version, record_submission
from .schedule_rules import local_label, require_future
from .states import EDITABLE, move

S = PostTarget.State


def may_skip_review(membership: Membership) -> bool:
    workspace = membership.workspace
    if not membership.can(Capability.COMPOSE):
        return False
    if not workspace.approval_required:
        return True
    return membership.role in (Role.OWNER, Role.ADMIN) and workspace.admins_skip_review


def _post_url(post: Post) -> str:
    return reverse("post_detail", args=[post.workspace.slug, post.pk])


def problems_of(post: Post) -> list[str]:
    targets = list(post.targets.select_related("account"))
    if not targets:
        return ["Choose at least one account to publish to."]
    found = []
    for target in targets:
        facts = composer.media_facts([a.media for a in target.attachments.select_related("media")])
        check = composer.validation.check_target(
            target.account.platform, target.text, facts, target.options
        )
        found += [f"{target.account}: {p}" for p in check.problems]
    return found


def _require_publishable(post: Post) -> None:
    problems = problems_of(post)
    if post.scheduled_at is None:
        problems.append("Choose when to publish.")
    if problems:
        raise UserFacingError(" ".join(problems))


def _require_room(post: Post) -> None:
    """The plan's scheduled posts per month (mixora.limits), counted in the month of the post's
    time with the workspace row locked, so two schedulings at once can't both take the last
    place. A post already scheduled in that month (an edit) holds its place already."""
    workspace = Workspace.objects.select_for_update().get(pk=post.workspace_id)
    start, end = month_bounds_utc(post.scheduled_at, workspace.timezone)
    if (
        post.stage == Post.Stage.SCHEDULED
        and post.targets.filter(state=S.SCHEDULED, due_at__gte=start, due_at__lt=end).exists()
    ):
        return
    in_use = scheduled_in_month(workspace, post.scheduled_at, except_post=post.pk)
    limits.require(workspace, limits.SCHEDULED_POSTS_MONTH, in_use=in_use)


def _snapshot_payload(post: Post) -> None:
    """Copy each file some account will publish (the shared set and each account's own);
    the copies go once the post is out."""
    used = set()
    for target in post.targets.all():
        used.update(target.attachments.values_list("pk", flat=True))
    for attachment in post.attachments.filter(pk__in=used).select_related("media"):
        if attachment.payload:
            continue
        media = attachment.media
        extension = media.file.name.rsplit(".", 1)[-1]
        with media.file.open("rb") as source:
            attachment.payload.name = default_storage.save(
                payload_path(post.pk, attachment.position, extension), source
            )
        attachment.save(update_fields=["payload"])


def _require_may_schedule(post: Post, actor: Membership, via_approval: bool) -> None:
    if post.stage in (Post.Stage.PUBLISHED, Post.Stage.EXPIRED):
        raise UserFacingError("This post is already published or expired.")
    if not (via_approval or may_skip_review(actor)):
        raise UserFacingError("This workspace requires approval: submit the post for review.")


@transaction.atomic
def schedule(post: Post, actor: Membership, *, via_approval: bool = False) -> Post:
    """Put the post's targets on the schedule at its time, which must still be ahead. Only
    `approve` may do this for someone who cannot skip review."""
    _require_may_schedule(post, actor, via_approval)
    _require_publishable(post)
    require_future(post.scheduled_at, tz=post.workspace.timezone)
    return _put_on_schedule(post)


@transaction.atomic
def post_now(post: Post, actor: Membership) -> Post:
    """Publish as soon as the publisher next looks: the post's time becomes now. Nobody
    bypasses review with it: someone who must get approval submits the post with a time
    instead (an approver's approval schedules it)."""
    _require_may_schedule(post, actor, via_approval=False)
    post.scheduled_at = timezone.now()
    post.save(update_fields=["scheduled_at", "updated_at"])
    _require_publishable(post)
    return _put_on_schedule(post)


def _put_on_schedule(post: Post) -> Post:
    _require_room(post)
    _snapshot_payload(post)
    # Already scheduled targets take the new time; the others become scheduled.
    post.targets.filter(state=S.SCHEDULED).update(due_at=post.scheduled_at)
    for target in post.targets.filter(state__in=EDITABLE).exclude(state=S.SCHEDULED):
        move(target.pk, S.SCHEDULED, due_at=post.scheduled_at, last_error="")
    post.stage = Post.Stage.SCHEDULED
    post.save(update_fields=["stage", "updated_at"])
    return post


@transaction.atomic
def submit(post: Post, actor: Membership) -> Post:
    if post.stage not in (Post.Stage.DRAFT, Post.Stage.CHANGES_REQUESTED):
        raise UserFacingError(
            f"This post is {post.get_stage_display().lower()}: only drafts go to review."
        )
    _require_publishable(post)
    require_future(post.scheduled_at, tz=post.workspace.timezone)
    post.stage = Post.Stage.IN_REVIEW
    post.save(update_fields=["stage", "updated_at"])
    ReviewDecision.objects.create(post=post, kind=ReviewDecision.Kind.SUBMITTED, actor=actor.user)
    # What the approver will see, kept so a resubmission can show what changed since.
    record_submission(post, actor.user)
    notify_workspace(
        post.workspace,
        Capability.APPROVE,
        message=f"{actor.user.display_name} asks for review: “{post}”.",
        url=_post_url(post),
        email_template="post_review_requested",
        context={"post": post, "author": actor.user},
    )
    return post


def _require_as_seen(post: Post, seen_version: str | None) -> None:
    """Refuse a decision on content other than what the person saw (`seen_version` from the
    review page; None for decisions made outside it). The post must be locked."""
    if seen_version is not None and seen_version != content_version(post):
        raise UserFacingError(
            "This post changed after you opened it. Nothing was decided: look at it again."
        )


@transaction.atomic
def approve(
    post: Post, actor: Membership, comment: str = "", seen_version: str | None = None
) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.stage != Post.Stage.IN_REVIEW:
        raise UserFacingError("Only a post in review can be approved.")
    _require_as_seen(post, seen_version)
    _require_publishable(post)
    if post.scheduled_at <= timezone.now():
        # Approving would publish at once, which nobody chose: the author picks a new time.
        when = local_label(post.scheduled_at, post.workspace.timezone)
        raise UserFacingError(
            f"Nothing was approved: its time ({when}) passed while it waited for review. "
            "Send it back asking for a new time."
        )
    post.approved_by, post.approved_at = actor.user, timezone.now()
    post.save(update_fields=["approved_by", "approved_at", "updated_at"])
    ReviewDecision.objects.create(
        post=post, kind=ReviewDecision.Kind.APPROVED, actor=actor.user, comment=comment
    )
    schedule(post, actor, via_approval=True)
    _tell_author(post, f"{actor.user.display_name} approved “{post}”.")
    return post


@transaction.atomic
def reject(post: Post, actor: Membership, comment: str, seen_version: str | None = None) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.stage != Post.Stage.IN_REVIEW:
        raise UserFacingError("Only a post in review can be sent back.")
    if not comment.strip():
        raise UserFacingError("Say what needs to change.")
    _require_as_seen(post, seen_version)
    unschedule(post)
    post.stage = Post.Stage.CHANGES_REQUESTED
    post.save(update_fields=["stage", "updated_at"])
    ReviewDecision.objects.create(
        post=post, kind=ReviewDecision.Kind.REJECTED, actor=actor.user, comment=comment
    )
    _tell_author(post, f"{actor.user.display_name} asked for changes to “{post}”: {comment}")
    return post


def _tell_author(post: Post, message: str) -> None:
    from notifications.models import Notification

    if post.author_id:
        Notification.objects.create(
            user_id=post.author_id,
            workspace=post.workspace,
            message=message[:300],
            url=_post_url(post),
        )


def after_edit(post: Post, actor: Membership) -> Post:
    """An edit to a scheduled or approved post: back to review where approval is required
    (and the editor may not skip it), otherwise rescheduled with the new content; if the
    schedule refuses the new content, the post waits as a draft (and the refusal is raised)."""
    if post.stage not in (Post.Stage.SCHEDULED, Post.Stage.IN_REVIEW):
        return post
    if post.stage == Post.Stage.SCHEDULED and may_skip_review(actor):
        try:
            return schedule(post, actor)  # atomic: a refusal changes nothing there
        except UserFacingError:
            # The new content must not go out at the old time.
            unschedule(post)
            raise
    with transaction.atomic():
        unschedule(post)
        if post.workspace.approval_required:
            post.stage = Post.Stage.IN_REVIEW
            post.approved_by = post.approved_at = None
            post.save(update_fields=["stage", "approved_by", "approved_at", "updated_at"])
            ReviewDecision.objects.create(
                post=post, kind=ReviewDecision.Kind.REOPENED, actor=actor.user
            )
    return post


@transaction.atomic
def unschedule(post: Post) -> Post:
    for target in post.targets.filter(
        state__in=[S.SCHEDULED, S.QUEUED, S.FAILED, S.NEEDS_ATTENTION]
    ):
        move(target.pk, S.DRAFT, due_at=None)
    post.stage = Post.Stage.DRAFT
    post.save(update_fields=["stage", "updated_at"])
    if not post.targets.filter(state__in=[S.QUEUED, S.PUBLISHING]).exists():
        # The copies exist only for publishing; scheduling again makes new ones.
        transaction.on_commit(partial(delete_payload, post.pk))
    return post


def retry(target: PostTarget, actor: User) -> bool:
    """A failed or held target goes out again now; whether an earlier attempt may have
    reached the platform is kept, so the publisher still looks before publishing."""
    if not target.account.is_healthy:
        raise UserFacingError(f"Reconnect {target.account} first.")
    fields = {"due_at": timezone.now(), "last_error": ""}
    if target.checkpoint.get("confirm_needed"):
        # A person checked the platform and asks to send it: that settles the unknown.
        fields.update(outcome_unknown=False, checkpoint={})
    return move(target.pk, S.SCHEDULED, only_from=[S.FAILED, S.NEEDS_ATTENTION], **fields)


def comment(post: Post, author: User, body: str) -> PostComment:
    if not body.strip():
        raise UserFacingError("Write something first.")
    return PostComment.objects.create(post=post, author=author, body=body.strip())
