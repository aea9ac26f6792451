from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def media_path(media: Media, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"media/{media.workspace_id}/{secrets.token_hex(10)}.{extension}"


def thumbnail_path(media: Media, filename: str) -> str:
    return f"media/{media.workspace_id}/thumbs/{secrets.token_hex(10)}.jpg"


def payload_path(post_id: int, position: int, extension: str) -> str:
    return f"payloads/{post_id}/{position}-{secrets.token_hex(8)}.{extension}"


class Media(models.Model):
    """A file in the workspace's media library, checked by its content when uploaded."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="media"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=media_path, max_length=300)
    thumbnail = models.ImageField(upload_to=thumbnail_path, max_length=300, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=60)
    name = models.CharField(max_length=200, help_text="What the person called it")
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for videos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """One piece of content for one or more connected accounts (its targets)."""

    class Stage(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    text = models.TextField(blank=True)
    media = models.ManyToManyField(Media, through="PostMedia", related_name="posts", blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text="UTC")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    payload_deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "scheduled_at"], name="post_calendar"),
            # The posts list: a tab (stages) in time order, or in last-change order.
            models.Index(
                fields=["workspace", "stage", "scheduled_at", "id"], name="post_tab_by_time"
            ),
            models.Index(
                fields=["workspace", "stage", "updated_at", "id"], name="post_tab_by_change"
            ),
        ]

    def __str__(self) -> str:
        return (self.text[:60] or "Untitled post").strip()


class PostMedia(models.Model):
    """A file attached to a post: to its shared set (no account), or to one account's own set,
    which that account receives instead of the shared one (`PostTarget.attachments`)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    account = models.ForeignKey(
        "connections.ConnectedAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    media = models.ForeignKey(Media, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    # The copy made for publishing (privacy policy §6: deleted once posted or expired).
    payload = models.FileField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "position"],
                condition=models.Q(account__isnull=True),
                name="post_media_position",
            ),
            models.UniqueConstraint(
                fields=["post", "account", "position"],
                condition=models.Q(account__isnull=False),
                name="post_account_media_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.media} in {self.post}"


class PostTarget(models.Model):
    """The post on one connected account. Its `state` is the publisher's state machine
    (see publishing/states.py for the legal transitions)."""

    class State(models.TextChoices):
        DRAFT = "draft", "Not scheduled"
        SCHEDULED = "scheduled", "Scheduled"
        QUEUED = "queued", "Queued"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        EXPIRED = "expired", "Expired"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="targets"
    )
    caption = models.TextField(blank=True, help_text="Overrides the post's text here")
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    due_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # Set before every platform call and cleared only on a definite answer: while set, the
    # platform may have the post, so the next attempt looks before it publishes.
    outcome_unknown = models.BooleanField(default=False)
    # Where a multi-step publish got to (container id, publish id, upload session), saved as
    # soon as the platform names it, so a retry can ask about it instead of posting again.
    checkpoint = models.JSONField(default=dict, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    platform_post_id = models.CharField(max_length=200, blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # This account receives its own media (PostMedia rows with its account; none means no
    # media at all) instead of the post's shared set.
    own_media = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "account"], name="one_target_per_account")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="target_due"),
            # An account's queue in time order (the Queues page).
            models.Index(fields=["account", "state", "due_at", "id"], name="target_account_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.account}"

    @property
    def text(self) -> str:
        return self.caption or self.post.text

    @property
    def attachments(self) -> models.QuerySet[PostMedia]:
        """The media this account receives, in order: its own set, or the shared one. Every
        reader of one account's media (checks, publisher, review, post page) goes through it."""
        return PostMedia.objects.filter(
            post_id=self.post_id, account_id=self.account_id if self.own_media else None
        )


class PostComment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class ReviewDecision(models.Model):
    """The decision history of a post: submitted, approved, rejected, sent back by an edit."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Changes requested"
        REOPENED = "reopened", "Edited after approval: back to review"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReviewSubmission(models.Model):
    """What a post was when it was sent for review, as the review box showed it (each
    account's text and options in its network's words, the media by name), so the next
    review can show what changed since."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # publishing.review.content_version of the post at that moment.
    content_version = models.CharField(max_length=64)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.post} submitted {self.submitted_at:%Y-%m-%d %H:%M}"


class PostingSlot(models.Model):
    """A recurring time (in the workspace's zone) when an account likes to post: "Add to
    queue" takes the next free one."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    time = models.TimeField()

    class Meta:
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "time"], name="slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"


class QueuePause(models.Model):
    """An account whose queue is paused: while this row exists the dispatcher leaves the
    account's due targets waiting (SCHEDULED); deleting it resumes, and the ones that came due
    meanwhile go out on the next run (as after a plan pause), unless they expire first."""

    account = models.OneToOneField(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="queue_pause"
    )
    paused_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.account} paused"
