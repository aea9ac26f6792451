"""What a post page says about a post and each of its accounts: the post's stage alone would
say "Scheduled" over a target that failed, and "Not scheduled" on every account of a post that
is waiting for approval."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Post, PostTarget

S = PostTarget.State
WAITING = (S.SCHEDULED, S.QUEUED, S.PUBLISHING)


@dataclass(frozen=True)
class Status:
    key: str  # a stage or target state, for the badge's colour
    label: str


def _accounts(count: int) -> str:
    return f"{count} account{'s' if count != 1 else ''}"


def post_status(post: Post, targets: list[PostTarget]) -> Status:
    """The header's badge: the stage, unless the accounts tell more."""
    if post.stage not in (Post.Stage.SCHEDULED, Post.Stage.PUBLISHED) or not targets:
        return Status(post.stage, post.get_stage_display())
    states = [t.state for t in targets]
    failed = states.count(S.FAILED)
    held = states.count(S.NEEDS_ATTENTION)
    published = states.count(S.PUBLISHED)
    if failed:
        return Status(S.FAILED, f"Failed on {_accounts(failed)}")
    if held:
        return Status(S.NEEDS_ATTENTION, f"Needs attention on {_accounts(held)}")
    if published == len(states):
        return Status(Post.Stage.PUBLISHED, "Published")
    if published:
        return Status(Post.Stage.SCHEDULED, f"Published on {published} of {len(states)} accounts")
    return Status(post.stage, post.get_stage_display())


def target_status(post: Post, target: PostTarget) -> Status:
    """One account's badge: a target not on the schedule says why, from the post's stage."""
    if target.state == S.DRAFT:
        if post.stage == Post.Stage.IN_REVIEW:
            return Status(S.DRAFT, "Waiting for approval")
        if post.stage == Post.Stage.CHANGES_REQUESTED:
            return Status(S.DRAFT, "Changes requested")
    return Status(target.state, target.get_state_display())
