from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DataExport(models.Model):
    """One copy of everything Mixora holds about a person, built as a ZIP by a task and kept
    privately in storage until `expires_at` (privacy policy §9: access and portability)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    IN_PROGRESS = (Status.QUEUED, Status.BUILDING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # A random name in private storage; blank until ready and again once expired.
    file = models.FileField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="For support; never shown")
    # privacy.PrivacyRequest, when the export answers one. A plain column rather than a
    # foreign key, so this app's migrations do not depend on that app's.
    privacy_request_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["queued", "building"]),
                name="export_one_in_progress_per_user",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_expiry")]

    def __str__(self) -> str:
        return f"Export {self.pk} for user {self.user_id} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS
