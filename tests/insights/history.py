"""Published posts made directly in the database, for insights tests that start after
publishing (the publisher's own tests cover how a post gets there)."""

from __future__ import annotations

from datetime import datetime

from connections.models import ConnectedAccount
from publishing.models import Media, Post, PostMedia, PostTarget


def published(
    account: ConnectedAccount,
    *,
    platform_post_id: str,
    published_at: datetime,
    text: str = "Fresh from the roaster",
    media_kinds: tuple[str, ...] = (),
) -> PostTarget:
    """A post published on `account` at `published_at`, with one library item per media kind."""
    workspace = account.workspace
    post = Post.objects.create(
        workspace=workspace, text=text, stage=Post.Stage.PUBLISHED, scheduled_at=published_at
    )
    for position, kind in enumerate(media_kinds):
        item = Media.objects.create(
            workspace=workspace,
            file=f"media/{kind}-{position}",
            kind=kind,
            content_type="video/mp4" if kind == "video" else "image/jpeg",
            name=f"{kind} {position}",
            size=1000,
        )
        PostMedia.objects.create(post=post, media=item, position=position)
    return PostTarget.objects.create(
        post=post,
        account=account,
        state=PostTarget.State.PUBLISHED,
        platform_post_id=platform_post_id,
        published_at=published_at,
    )
