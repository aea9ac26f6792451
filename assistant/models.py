"""What the AI drafts produced, and how many requests each workspace made in a month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AIGeneration(models.Model):
    """One request to the AI provider: the person's input, the output, and what became of it.
    `subject` names what it was used in ("publishing.post:<id>", "inbox.conversation:<id>")."""

    class Purpose(models.TextChoices):
        CAPTION = "caption", "Caption from a brief"
        REWRITE = "rewrite", "Rewrite for a network"
        HASHTAGS = "hashtags", "Hashtags"
        REPLY = "reply", "Reply suggestion"

    class Status(models.TextChoices):
        DRAFT = "draft", "AI draft"
        ACCEPTED = "accepted", "Accepted as written"
        EDITED = "edited", "Edited by a person"
        DISCARDED = "discarded", "Discarded"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="ai_generations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    network = models.CharField(max_length=20, blank=True)
    input_text = models.TextField()
    output_text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    model = models.CharField(max_length=100)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=100, blank=True, db_index=True)
    used_in = models.CharField(max_length=40, blank=True)  # the form field: "text", "caption_3"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="assistant_gen_recent")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_status_display()})"


class AIUsage(models.Model):
    """Requests and tokens of one workspace in one calendar month (UTC): counts, not content."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="ai_usage"
    )
    month = models.DateField()  # the first day of the month
    requests = models.PositiveIntegerField(default=0)
    tokens = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "month"], name="assistant_usage_month")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.month:%Y-%m}: {self.requests} requests"
