"""Deleting what people made: posts (from Mixora, and, where the network allows it and the
person asks, from the network too) and files of the media library.

Deleting takes the row locks the publisher respects, in the order the composer takes them: the
post, then its targets (SELECT … FOR UPDATE). The dispatcher claims with SKIP LOCKED, so it
passes over targets being deleted; a target it has already claimed (QUEUED) or a worker is
publishing (PUBLISHING) makes the deletion refuse. So nothing the publisher works on is deleted,
and a deleted post has no target left that could be published."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Capability, Role
from audit.models import AuditAction
from audit.trail import record
from connections import services as connection_services
from connections.errors import AuthExpired, PlatformError
from connections.platforms.registry import network_for
from mixora.errors import UserFacingError
from notifications.models import Notification

from . import composer, workflow
from .models import Media, Post, PostMedia, PostTarget

if TYPE_CHECKING:
    from django.http import HttpRequest

S = PostTarget.State
IN_FLIGHT = frozenset({S.QUEUED, S.PUBLISHING})
# Targets that would still go out if the post stayed: deleting cancels them.
WAITING = frozenset({S.SCHEDULED, S.FAILED, S.NEEDS_ATTENTION})


def may_delete(post: Post, membership: Membership) -> bool:
    """Its author (while their role may compose) and the workspace's owners and admins."""
    if post.workspace_id != membership.workspace_id:
        return False
    if membership.role in (Role.OWNER, Role.ADMIN):
        return True
    return post.author_id == membership.user_id and membership.can(Capability.COMPOSE)


def _names(targets: Collection[PostTarget]) -> str:
    return " and ".join(str(t.account) for t in targets)


def _refuse_in_flight(post: Post, targets: Collection[PostTarget]) -> None:
    busy = [t for t in targets if t.state in IN_FLIGHT]
    if busy:
        raise UserFacingError(
            f"“{post}” is being published to {_names(busy)} right now; try again in a minute."
        )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- Posts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedCopy:
    """A target already out on its network, and why Mixora cannot delete it there ("" when
    it can)."""

    target: PostTarget
    refusal: str

    @property
    def deletable(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class PostPlan:
    """What deleting a post does, for its confirmation page."""

    cancelled: list[PostTarget]  # would still have been published
    in_flight: list[PostTarget]  # being published right now: deleting is refused
    published: list[PublishedCopy]
    comments: int
    decisions: int
    media_copies: int  # publishing copies of its files (the library keeps the files)
    conversations: int  # inbox conversations about its published copies (they stay)


def _published_copy(target: PostTarget) -> PublishedCopy:
    account = target.account
    refusal = network_for(account).delete_published_refusal(account)
    if not refusal and not account.is_healthy:
        refusal = f"Reconnect {account} to delete it there."
    return PublishedCopy(target, refusal)


def _published_copies(targets: list[PostTarget]) -> list[PublishedCopy]:
    copies = [_published_copy(t) for t in targets if t.platform_post_id]
    return sorted(copies, key=lambda c: not c.deletable)  # the boxes first


def plan(post: Post) -> PostPlan:
    targets = list(post.targets.select_related("account").order_by("account__platform", "pk"))
    return PostPlan(
        cancelled=[t for t in targets if t.state in WAITING],
        in_flight=[t for t in targets if t.state in IN_FLIGHT],
        published=_published_copies(targets),
        comments=post.comments.count(),
        decisions=post.decisions.count(),
        media_copies=post.attachments.exclude(payload="").count(),
        conversations=sum(t.conversations.count() for t in targets),
    )


@dataclass(frozen=True)
class DeletedPost:
    title: str
    stage: str
    deleted_on: list[str] = field(default_factory=list)  # the networks it was deleted from

    @property
    def message(self) -> str:
        also = (
            f" It was deleted from {' and '.join(self.deleted_on)} too." if self.deleted_on else ""
        )
        return f"Deleted “{self.title}”.{also}"


def _chosen_copies(targets: list[PostTarget], from_networks: Collection[int]) -> list[PostTarget]:
    """The published targets the person asked to delete on their network, every one of them
    deletable there; anything else is refused before anything is deleted."""
    copies = {c.target.pk: c for c in _published_copies(targets)} if from_networks else {}
    chosen = []
    for pk in sorted(set(from_networks)):
        copy = copies.get(pk)
        if copy is None:
            raise UserFacingError("That account has no published copy of this post to delete.")
        if not copy.deletable:
            raise UserFacingError(copy.refusal)
        chosen.append(copy.target)
    return chosen


def _delete_on_networks(chosen: list[PostTarget]) -> list[str]:
    """Delete each chosen copy on its network, stopping at the first refusal (then nothing is
    deleted in Mixora). A copy once deleted there forgets its platform id, so it is never
    offered or tried again."""
    done: list[str] = []
    for target in chosen:
        account = target.account
        delete = partial(network_for(account).delete_published, account, target.platform_post_id)
        try:
            connection_services.call_with_refresh(account, delete)
        except PlatformError as exc:
            if isinstance(exc, AuthExpired):
                connection_services.mark_needs_reconnect(account, exc.message)
            reason = exc.message.rstrip()
            reason += "" if reason.endswith((".", "!", "?")) else "."
            already = f" It was deleted from {' and '.join(done)}." if done else ""
            raise UserFacingError(
                f"{account} did not delete the post: {reason} Nothing was deleted in "
                f"Mixora.{already}"
            ) from None
        PostTarget.objects.filter(pk=target.pk).update(platform_post_id="", permalink="")
        done.append(str(account))
    return done


def delete_post(
    post: Post,
    membership: Membership,
    *,
    from_networks: Collection[int] = (),
    request: HttpRequest | None = None,
) -> DeletedPost:
    """Delete a post with its targets, comments, review history and the publishing copies of
    its files (after commit; the library keeps the files). A scheduled post is cancelled under
    the publisher's locks; one being published right now is refused. `from_networks` names
    published targets to delete on their network first: if a network refuses, nothing is
    deleted in Mixora and the message says why."""
    if not may_delete(post, membership):
        raise PermissionDenied("Only the post's author or an owner or admin may delete it.")
    targets = list(post.targets.select_related("account").order_by("pk"))
    _refuse_in_flight(post, targets)
    deleted_on = _delete_on_networks(_chosen_copies(targets, from_networks))
    with transaction.atomic():
        locked = Post.objects.select_for_update().filter(pk=post.pk).first()
        if locked is None:
            raise UserFacingError("This post was already deleted.")
        targets = list(locked.targets.select_for_update().select_related("account").order_by("pk"))
        # The claim may have happened since the check above: decide under the lock.
        _refuse_in_flight(locked, targets)
        payloads = list(locked.attachments.exclude(payload="").values_list("payload", flat=True))
        result = DeletedPost(str(locked), locked.stage, deleted_on)
        locked.delete()
        record(
            AuditAction.POST_DELETED,
            request=request,
            actor=membership.user,
            workspace=membership.workspace,
            post_id=post.pk,
            stage=result.stage,
            deleted_on=deleted_on,
        )
        transaction.on_commit(partial(_delete_files, payloads))
    return result


# --- Media ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaUse:
    """A post a library file leaves when it is deleted, and what that does to the post."""

    post: Post
    effect: str


def _problems_without(post: Post, media: Media) -> list[str]:
    """What would stop the post being published once `media` is no longer attached."""
    problems = []
    for target in post.targets.all():
        remaining = [
            a.media for a in target.attachments.select_related("media") if a.media_id != media.pk
        ]
        facts = composer.media_facts(remaining)
        check = composer.validation.check_target(
            target.account.platform, target.text, facts, target.options
        )
        problems += [f"{target.account}: {p}" for p in check.problems]
    return problems


def _effect(post: Post, media: Media, membership: Membership) -> str:
    if post.stage == Post.Stage.PUBLISHED:
        return "Already out: the networks keep what they have; the post no longer lists the file."
    if post.stage == Post.Stage.EXPIRED:
        return "The file is removed from this expired post."
    if post.stage == Post.Stage.IN_REVIEW:
        return "The file is removed; approvers review the post without it."
    if post.stage != Post.Stage.SCHEDULED:
        return "The file is removed from this draft."
    problems = _problems_without(post, media)
    if problems:
        return "It goes back to drafts, as it could no longer be published: " + " ".join(problems)
    if workflow.may_skip_review(membership):
        return "It stays scheduled and goes out without the file."
    return "It goes back to review without the file."


def media_uses(media: Media, membership: Membership) -> list[MediaUse]:
    """Every post the file is attached to, newest first, with what deleting it does there."""
    posts = (
        Post.objects.filter(workspace_id=media.workspace_id, attachments__media=media)
        .distinct()
        .order_by("-created_at", "-pk")
        .prefetch_related("targets__account", "attachments__media")
    )
    return [MediaUse(post, _effect(post, media, membership)) for post in posts]


@dataclass(frozen=True)
class DeletedMedia:
    name: str
    detached: int  # posts it was removed from
    to_drafts: list[str] = field(default_factory=list)
    to_review: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"Deleted {self.name}."
        if self.detached:
            text = f"Deleted {self.name} and removed it from {self.detached} post"
            text += "s." if self.detached > 1 else "."
        if self.to_drafts:
            text += (
                f" Back to drafts, as they could no longer be published: {_quoted(self.to_drafts)}."
            )
        if self.to_review:
            text += f" Back to review: {_quoted(self.to_review)}."
        return text


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


def _tell_author(post: Post, membership: Membership, message: str) -> None:
    if post.author_id and post.author_id != membership.user_id:
        Notification.objects.create(
            user_id=post.author_id,
            workspace=post.workspace,
            message=message[:300],
            url=reverse("post_detail", args=[post.workspace.slug, post.pk]),
        )


def _after_detach(post: Post, media: Media, membership: Membership, result: DeletedMedia) -> None:
    """A scheduled post that lost a file is edited content: rescheduled as it is, back to
    review where its approval no longer covers it, or back to drafts if it can no longer be
    published."""
    if post.stage != Post.Stage.SCHEDULED:
        return
    problems = workflow.problems_of(post)
    if problems:
        workflow.unschedule(post)
        result.to_drafts.append(str(post))
        _tell_author(
            post,
            membership,
            f"{membership.user.display_name} deleted {media.name} from the media library: "
            f"“{post}” went back to drafts. {' '.join(problems)}",
        )
        return
    workflow.after_edit(post, membership)
    if post.stage == Post.Stage.IN_REVIEW:
        result.to_review.append(str(post))


def delete_media(
    media: Media,
    membership: Membership,
    *,
    seen_posts: Collection[int] = (),
    request: HttpRequest | None = None,
) -> DeletedMedia:
    """Delete a library file (and its thumbnail and any publishing copies, after commit).
    A file attached to posts is deleted only when `seen_posts` names exactly those posts (the
    person saw them in `media_uses`): it leaves every one, and scheduled ones are settled by
    `_after_detach`. A post using it that is being published right now makes it refuse."""
    if not membership.can(Capability.COMPOSE) or media.workspace_id != membership.workspace_id:
        raise PermissionDenied("Your role in this workspace does not allow this.")
    with transaction.atomic():
        locked = Media.objects.select_for_update().filter(pk=media.pk).first()
        if locked is None:
            raise UserFacingError(f"{media.name} was already deleted.")
        posts = list(
            Post.objects.select_for_update()
            .filter(pk__in=PostMedia.objects.filter(media=locked).values("post_id"))
            .order_by("pk")
        )
        if {p.pk for p in posts} != set(seen_posts):
            # The person did not see (all) the posts it would leave: show them first.
            used = f"{len(posts)} post{'s' if len(posts) > 1 else ''}" if posts else "no post"
            raise UserFacingError(
                f"{locked.name} is now used by {used}: check which before deleting it."
            )
        for post in posts:
            targets = list(post.targets.select_for_update().select_related("account"))
            _refuse_in_flight(post, targets)
        attachments = PostMedia.objects.filter(media=locked)
        files = [name for name in attachments.values_list("payload", flat=True) if name]
        files += [name for name in (locked.file.name, locked.thumbnail.name) if name]
        attachments.delete()
        result = DeletedMedia(locked.name, len(posts))
        for post in posts:
            _after_detach(post, locked, membership, result)
        locked.delete()
        record(
            AuditAction.MEDIA_DELETED,
            request=request,
            actor=membership.user,
            workspace=membership.workspace,
            media_id=media.pk,
            kind=locked.kind,
            detached_from=len(posts),
        )
        transaction.on_commit(partial(_delete_files, files))
    return result
