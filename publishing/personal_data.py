"""Posts, comments, review decisions and media a person made: exported for them; kept for
their workspace when they are deleted (shown as 'Deleted user'); gone with the workspace."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Prefetch
from django.dispatch import receiver
from django.utils.text import get_valid_filename

from accounts.models import User, Workspace
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    keeps,
    values,
    workspace_purging,
)

from .models import (
    Media,
    Post,
    PostComment,
    PostMedia,
    PostTarget,
    ReviewDecision,
    ReviewSubmission,
)

WORKSPACE_CONTENT = (
    "content made for a shared workspace belongs to it too: its members keep it, and the "
    "author shows as 'Deleted user' (empty after the purge)"
)
UNTIL_WORKSPACE_DELETES_IT = "until the workspace deletes it or is deleted (then 30 days)"


def _post(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "workspace_name": post.workspace.name,
        "text": post.text,
        "stage": post.stage,
        "scheduled_at": post.scheduled_at,
        "approved_at": post.approved_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "media_ids": [a.media_id for a in post.attachments.all() if a.account_id is None],
        "accounts": [
            {
                "platform": target.account.platform,
                "account_name": target.account.display_name,
                "caption": target.caption,
                # Its own media instead of the shared media_ids (null: the shared ones).
                "own_media_ids": [
                    a.media_id for a in post.attachments.all() if a.account_id == target.account_id
                ]
                if target.own_media
                else None,
                "state": target.state,
                "published_at": target.published_at,
                "permalink": target.permalink,
            }
            for target in post.targets.all()
        ],
    }


@export_section(30, models=("publishing.Post",))
def posts(user: User, files: FileSink) -> Section:
    authored = (
        Post.objects.filter(author=user)
        .select_related("workspace")
        .prefetch_related(
            "attachments", Prefetch("targets", PostTarget.objects.select_related("account"))
        )
        .order_by("created_at", "pk")
    )
    return Section(
        "posts.json",
        "Posts you wrote: their text, stage (draft, in review, scheduled, published...), "
        "schedule, the accounts they were for with each caption, and links to them once "
        "published. media_ids (and an account's own_media_ids, which replace them there) "
        "point at media.json.",
        {"posts": (_post(p) for p in authored.iterator(chunk_size=500))},
    )


@export_section(40, models=("publishing.PostComment",))
def post_comments(user: User, files: FileSink) -> Section:
    return Section(
        "post_comments.json",
        "Comments you left on posts for your teammates.",
        {
            "comments": values(
                PostComment.objects.filter(author=user).order_by("created_at", "pk"),
                "post_id",
                "body",
                "created_at",
                workspace_name=F("post__workspace__name"),
            )
        },
    )


@export_section(50, models=("publishing.ReviewDecision", "publishing.ReviewSubmission"))
def reviews(user: User, files: FileSink) -> Section:
    return Section(
        "reviews.json",
        "Your part in reviewing posts: each time you submitted a post for review, approved "
        "it or asked for changes (with your comment), what each post you submitted said at "
        "that moment (per account), and the posts you approved.",
        {
            "decisions": values(
                ReviewDecision.objects.filter(actor=user).order_by("created_at", "pk"),
                "post_id",
                "kind",
                "comment",
                "created_at",
                workspace_name=F("post__workspace__name"),
            ),
            "submissions": values(
                ReviewSubmission.objects.filter(submitted_by=user).order_by("submitted_at", "pk"),
                "post_id",
                "submitted_at",
                "snapshot",
                workspace_name=F("post__workspace__name"),
            ),
            "posts_approved": values(
                Post.objects.filter(approved_by=user).order_by("approved_at", "pk"),
                "approved_at",
                post_id=F("id"),
                workspace_name=F("workspace__name"),
            ),
        },
    )


def _media_name(media_id: int, name: str, stored: str) -> str:
    extension = posixpath.splitext(stored)[1].lower()
    base = get_valid_filename(posixpath.splitext(name)[0]) if name else ""
    return f"media/{media_id}-{base or 'file'}{extension}"


@export_section(
    60,
    models=("publishing.Media",),
    folders={"media/": "The images and videos you uploaded; media.json describes each one."},
)
def media(user: User, files: FileSink) -> Section:
    uploads = Media.objects.filter(uploaded_by=user).order_by("created_at", "pk")
    copied = {
        media_id: files.copy(_media_name(media_id, name, stored), stored)
        for media_id, name, stored in uploads.values_list("pk", "name", "file").iterator(
            chunk_size=500
        )
    }

    def items() -> Iterator[dict[str, Any]]:
        rows = values(
            uploads,
            "id",
            "name",
            "kind",
            "content_type",
            "size",
            "width",
            "height",
            "duration",
            "created_at",
            workspace_name=F("workspace__name"),
        )
        for row in rows:
            yield {**row, "file_in_export": copied.get(row["id"])}

    return Section(
        "media.json",
        "Images and videos you uploaded to media libraries. The files themselves are in "
        "the media folder (file_in_export says where); a file that could not be read from "
        "storage is listed with file_in_export empty.",
        {"media": items()},
    )


keeps(
    "publishing.Post",
    ("author", "approved_by", "text"),
    reason=WORKSPACE_CONTENT,
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.PostComment",
    ("author", "body"),
    reason=WORKSPACE_CONTENT,
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.ReviewDecision",
    ("actor", "comment"),
    reason=WORKSPACE_CONTENT,
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.ReviewSubmission",
    ("submitted_by", "snapshot"),
    reason=WORKSPACE_CONTENT,
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.Media",
    ("uploaded_by", "file", "thumbnail", "name"),
    reason=WORKSPACE_CONTENT,
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.PostTarget",
    ("options", "checkpoint"),
    reason="what a post sends to each network and how far publishing got (workspace content)",
    period=UNTIL_WORKSPACE_DELETES_IT,
)
keeps(
    "publishing.PostMedia",
    ("payload",),
    reason="the copy of a media file made for a scheduled post (the workspace's content)",
    period="until the post is published or deleted",
)


@receiver(workspace_purging, dispatch_uid="publishing.workspace_purging")
def delete_content(sender: Any, workspace: Workspace, files: list[str], **kwargs: Any) -> None:
    files += [
        name
        for row in Media.objects.filter(workspace=workspace).values_list("file", "thumbnail")
        for name in row
        if name
    ]
    files += [
        name
        for name in PostMedia.objects.filter(post__workspace=workspace).values_list(
            "payload", flat=True
        )
        if name
    ]
    # Posts first: their attachments protect the library files they use.
    Post.objects.filter(workspace=workspace).delete()
