from __future__ import annotations

from django.conf import settings
from django.db import models


class SupportTicket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"

    class Topic(models.TextChoices):
        ACCOUNT = "account", "Account and log-in"
        BILLING = "billing", "Billing"
        PUBLISHING = "publishing", "Publishing and scheduling"
        CONNECTIONS = "connections", "Connected accounts"
        PRIVACY = "privacy", "Privacy and my data"
        OTHER = "other", "Something else"

    name = models.CharField(max_length=150)
    email = models.EmailField()
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.OTHER)
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=10_000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_tickets",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    staff_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"MX-{self.pk:06d}"
