"""The unified inbox: conversations (a direct-message thread or a comment thread) of one
connected account, their messages and internal notes, and the team's working state."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone

from .search import normalise, participant_key


class Label(models.Model):
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="inbox_labels"
    )
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_label_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", "Direct message"
        COMMENT = "comment", "Comment thread"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="conversations"
    )
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="conversations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The participant's id for direct messages; the top-level comment's id for comments.
    thread_key = models.CharField(max_length=200)
    participant_id = models.CharField(max_length=200)
    participant_name = models.CharField(max_length=200, blank=True)
    participant_handle = models.CharField(max_length=200, blank=True)
    # The network's picture URL is only ever fetched by the server (inbox/avatars.py); pages
    # show the copy in our storage, through our own URL.
    participant_avatar_url = models.URLField(max_length=1000, blank=True)
    participant_avatar = models.FileField(upload_to="inbox/avatars/", max_length=300, blank=True)
    # The name and handle as search compares them (inbox/search.py), kept on save.
    search_name = models.TextField(blank=True, editable=False)
    # Comments: the platform's post, and ours when Mixora published it.
    external_post_id = models.CharField(max_length=200, blank=True)
    post_target = models.ForeignKey(
        "publishing.PostTarget",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    last_message_at = models.DateTimeField(default=timezone.now)
    # The customer's latest message: Meta's reply windows count from it.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    preview = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on every change, so open pages can ask "anything new?" cheaply.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "thread_key"], name="inbox_conversation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-last_message_at"], name="inbox_conv_recent"),
            models.Index(
                fields=["workspace", "status", "-last_message_at"], name="inbox_conv_status"
            ),
            models.Index(fields=["status", "snoozed_until"], name="inbox_conv_snoozed"),
        ]
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.participant_name or self.participant_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = participant_key(self.participant_name, self.participant_handle)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"participant_name", "participant_handle"} & {
            *update_fields
        }:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def participant_avatar_version(self) -> str:
        """Changes whenever another picture is stored: lets browsers cache our avatar URL."""
        return PurePosixPath(self.participant_avatar.name).stem


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "From the customer"
        OUTBOUND = "outbound", "Reply"
        NOTE = "note", "Internal note"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    # The platform's id: a redelivered event finds its message by it. Blank until sent.
    external_id = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_messages",
    )
    sender_name = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # The text as search compares it (inbox/search.py), kept on save.
    search_text = models.TextField(blank=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=500, blank=True)
    # Outgoing: what the send used (Meta messaging_type / tag) and its progress.
    messaging_type = models.CharField(max_length=20, blank=True)
    tag = models.CharField(max_length=20, blank=True)
    # Outgoing: the platform id of the customer's message this reply answers, as it was when
    # the person wrote it (a later message in the thread must not change what it answers).
    in_reply_to = models.CharField(max_length=200, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Inbound: [kind, url] of attachments still to copy into our storage.
    pending_attachments = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~models.Q(external_id=""),
                name="inbox_message_external_unique",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "sent_at"], name="inbox_msg_thread"),
            models.Index(fields=["sent_at"], name="inbox_msg_sent_at"),
        ]
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = normalise(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class Attachment(models.Model):
    """A file a customer sent, copied into our storage (platform URLs expire)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=20)
    file = models.FileField(upload_to="inbox/%Y/%m/", max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.file.name


class ReadMark(models.Model):
    """When one teammate last looked at a conversation: unread is per person."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_marks"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="inbox_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id} at {self.read_at:%Y-%m-%d %H:%M}"


class SavedReply(models.Model):
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="saved_replies"
    )
    title = models.CharField(max_length=80)
    text = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title


class WebhookDelivery(models.Model):
    """A signed webhook body exactly as received, kept until a task has processed it."""

    platform = models.CharField(max_length=10)
    body = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="inbox_delivery_received")]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.platform} delivery {self.pk}"


class PollState(models.Model):
    """Platforms without webhooks (YouTube comments): when we last asked, and how it went."""

    account = models.OneToOneField(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="inbox_poll"
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)
    newest_seen_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"polling of account {self.account_id}"


class DeletedMessageMarker(models.Model):
    """A message someone deleted, kept only as a keyed one-way digest of its platform id, so a
    platform that delivers the same event again (a retry or a replay) cannot bring it back."""

    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "digest"], name="inbox_deleted_marker")
        ]
        indexes = [models.Index(fields=["deleted_at"], name="inbox_deleted_marker_age")]

    def __str__(self) -> str:
        return f"deleted message marker {self.pk}"
