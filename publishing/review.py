"""What an approver decides on, and the proof that it is still that.

The review page shows what each account will receive (its caption or the shared text, its
options, the media) and carries `content_version`, a digest of all of it; approving or sending
back a post whose content changed since the page was opened is refused, so a decision applies
to exactly what the person saw.

Each submission for review keeps a snapshot of that same content (`ReviewSubmission`), so the
next review shows what changed since the last submission (`publishing.review_diff`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for

from . import review_diff
from .models import Media, Post, PostTarget, ReviewSubmission


def content_version(post: Post) -> str:
    """A digest of everything a decision covers: text, time, each account's caption,
    options and media (shared or its own), and the media in order."""
    content = {
        "text": post.text,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "targets": [
            list(row)
            for row in post.targets.order_by("account_id").values_list(
                "account_id", "caption", "options", "own_media"
            )
        ],
        "media": list(
            post.attachments.order_by("account_id", "position", "id").values_list(
                "account_id", "media_id", "media__size", "media__file"
            )
        ),
    }
    encoded = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


@dataclass(frozen=True)
class Receives:
    """What one account will receive, as the review page shows it."""

    account: ConnectedAccount
    target: PostTarget
    text: str
    own_caption: bool
    options: list[tuple[str, str]]
    media: list[Media]
    own_media: bool


@dataclass(frozen=True)
class SinceSubmission:
    """What changed since `submission`, the last one before what the approver sees now."""

    submission: ReviewSubmission
    changes: review_diff.Changes


@dataclass(frozen=True)
class ReviewContent:
    """What the review box shows: what each account receives (iterate over it), and what
    changed since the last submission (None when there is nothing earlier to compare to)."""

    accounts: list[Receives]
    changes: SinceSubmission | None

    def __iter__(self) -> Iterator[Receives]:
        return iter(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)


def _receives(post: Post, targets: list[PostTarget]) -> list[Receives]:
    return [
        Receives(
            account=target.account,
            target=target,
            text=target.caption or post.text,
            own_caption=bool(target.caption),
            options=network_for(target.account).describe_options(target.options),
            media=[a.media for a in target.attachments.select_related("media")],
            own_media=target.own_media,
        )
        for target in targets
    ]


def what_each_account_receives(post: Post, targets: list[PostTarget]) -> ReviewContent:
    receives = _receives(post, targets)
    return ReviewContent(receives, changes_since_last_submission(post, receives))


def snapshot(post: Post, receives: list[Receives]) -> dict[str, Any]:
    """The review box's content as plain JSON (the form `review_diff` compares)."""
    return {
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "accounts": [
            {
                "account": r.account.pk,
                "name": r.account.display_name,
                "network": r.account.get_platform_display(),
                "platform": r.account.platform,
                "text": r.text,
                "own_caption": r.own_caption,
                "options": [[label, value] for label, value in r.options],
                "own_media": r.own_media,
                "media": [{"id": m.pk, "name": m.name} for m in r.media],
            }
            for r in receives
        ],
        "media": [
            {"id": media_id, "name": name}
            for media_id, name in post.attachments.filter(account=None)
            .order_by("position", "id")
            .values_list("media_id", "media__name")
        ],
    }


def record_submission(post: Post, submitted_by: User) -> ReviewSubmission:
    """Keep what is being sent for review, to show the next review what changed."""
    targets = list(post.targets.select_related("account").order_by("account__platform", "pk"))
    return ReviewSubmission.objects.create(
        post=post,
        submitted_by=submitted_by,
        content_version=content_version(post),
        snapshot=snapshot(post, _receives(post, targets)),
    )


def changes_since_last_submission(post: Post, receives: list[Receives]) -> SinceSubmission | None:
    """The current content against the last submission, or, when the current content is
    that submission (the usual case while in review), against the one before it. None on a
    first submission nobody has changed since."""
    submissions = list(
        post.submissions.select_related("submitted_by").order_by("-submitted_at", "-id")[:2]
    )
    if not submissions:
        return None
    base = submissions[0]
    if base.content_version == content_version(post):
        if len(submissions) < 2:
            return None
        base = submissions[1]
    return SinceSubmission(base, review_diff.compare(base.snapshot, snapshot(post, receives)))
