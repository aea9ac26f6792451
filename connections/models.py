from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .fields import EncryptedTextField
from .platforms import PROVIDER_OF, Platform


class ConnectedAccount(models.Model):
    """One platform account (a Page, a profile, a channel) connected to one workspace."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Healthy"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
        REVOKED = "revoked", "Access revoked"
        # Over the plan's account limit after the grace period (billing/grace.py): kept,
        # not published to, until the workspace is back within its plan.
        PAUSED = "paused", "Paused"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="connected_accounts"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    display_name = models.CharField(max_length=200)
    handle = models.CharField(max_length=200, blank=True)
    avatar_url = models.URLField(max_length=1000, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    # Platform-specific identifiers we need later (e.g. the Page an Instagram account hangs off).
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)

    # Secrets: encrypted at rest, excluded from admin, exports and logs.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    # Meta only: the long-lived user token behind a Page token, for revocation.
    provider_user_token = EncryptedTextField(blank=True)
    provider_user_id = models.CharField(max_length=128, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    connected_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_id"], name="connected_account_unique"
            )
        ]
        ordering = ["platform", "display_name"]
        indexes = [
            models.Index(fields=["status", "token_expires_at"], name="account_refresh_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.display_name}"

    @property
    def provider(self) -> str:
        return PROVIDER_OF[self.platform]

    @property
    def events(self) -> dict | None:
        """Whether the platform sends this account's events to Mixora (`{"receiving",
        "detail"}`, kept by `services.start_events`); None for networks that send none."""
        saved = (self.details or {}).get("events")
        return saved if isinstance(saved, dict) else None

    @property
    def is_healthy(self) -> bool:
        return self.status == self.Status.ACTIVE
