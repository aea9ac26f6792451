"""Legal documents and the choices people make about them.

A `DocumentVersion` is one version of one kind of document. It is a draft until it is
published; publishing gives it the next version number of its kind and freezes it: the
text someone agreed to, or was told about, never changes afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone


class DocumentKind(models.TextChoices):
    # The value is the URL slug: /legal/<value>/.
    PRIVACY_POLICY = "privacy-policy", "Privacy policy"
    COOKIE_POLICY = "cookie-policy", "Cookie policy"
    NOTICE_AT_COLLECTION = "notice-at-collection", "California notice at collection"
    SUBPROCESSORS = "subprocessors", "Subprocessors"


class DocumentVersion(models.Model):
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Given when the version is published."
    )
    title = models.CharField(max_length=150)
    summary = models.TextField(
        blank=True,
        max_length=1000,
        help_text="What changed, in a sentence or two. Shown in notices and emails; required "
        "for material changes.",
    )
    body = models.TextField(
        help_text="Plain text. '## ' starts a heading, '### ' a sub-heading, '- ' a bullet, "
        "'1. ' a numbered item, '| a | b |' a table row; **bold** and [text](https://…) or "
        "[text](url:url-name) links. A line [[retention-table]] becomes the retention "
        "table, [[cookie-table]] the list of cookies. HTML is shown as text."
    )
    effective_date = models.DateField(default=timezone.localdate)
    last_updated = models.DateField(default=timezone.localdate)
    material = models.BooleanField(
        default=False,
        help_text="A material change: every member sees a notice until they acknowledge it, "
        "and every active user is emailed once when it is published.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The live tables (retention, cookies) as they were on publication, so a version read
    # after it was replaced shows what applied then.
    tables = models.JSONField(default=dict, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "legal document version"
        ordering = ["kind", "-version", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="legal_one_number_per_kind"),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | models.Q(version__isnull=False),
                name="legal_published_has_number",
            ),
        ]
        indexes = [models.Index(fields=["kind", "-version"], name="legal_kind_version")]
        permissions = [("publish_documentversion", "Can publish legal document versions")]

    def __str__(self) -> str:
        label = f"v{self.version}" if self.version else "draft"
        return f"{self.get_kind_display()} {label}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The last line of defence: nothing saves over a published version, whatever path
        # (admin, shell, a future form) it comes from. Publishing itself is an UPDATE.
        if self._stored_as_published():
            raise ValidationError("A published version is never edited.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.version is None:
            return reverse("legal_document", args=[self.kind])
        return reverse("legal_version", args=[self.kind, self.version])

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        if self._stored_as_published():
            raise ValidationError("A published version is never deleted.")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self._stored_as_published():
            raise ValidationError(
                "This version is published and can no longer change. Start a new draft from it."
            )
        if self.material and not self.summary.strip():
            raise ValidationError({"summary": "Say what changed: people are told about it."})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def in_effect(self) -> bool:
        return self.is_published and self.effective_date <= timezone.localdate()

    def _stored_as_published(self) -> bool:
        return bool(self.pk) and (
            DocumentVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists()
        )


class PolicyAcknowledgement(models.Model):
    """A person said they read a material change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="legal_ack_once")]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"


class PolicyAnnouncement(models.Model):
    """A person was emailed about a material change: the record that makes a re-run of the
    announcement skip them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_announcements"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="announcements"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="legal_announce_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} emailed about {self.version}"


class ConsentSource(models.TextChoices):
    SIGNUP = "signup", "Sign-up form"
    PREFERENCES = "preferences", "Email preferences page"
    UNSUBSCRIBE_PAGE = "unsubscribe_page", "Unsubscribe page"
    ONE_CLICK = "one_click", "One-click unsubscribe (mail client)"
    PRIVACY_REQUEST = "privacy_request", "Privacy request"


class MarketingPreference(models.Model):
    """Whether someone wants product news by email. No row means no."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_preference"
    )
    opted_in = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=ConsentSource.choices)

    def __str__(self) -> str:
        return f"{self.user}: {'opted in' if self.opted_in else 'opted out'}"


class MarketingConsentEvent(models.Model):
    """Every change of a marketing preference, kept as proof of consent and of withdrawal."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_events"
    )
    opted_in = models.BooleanField()
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the change when logged in; empty for an unsubscribe link.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {'opted in' if self.opted_in else 'opted out'} ({self.source})"


class AITrainingChoice(models.Model):
    """A workspace's choice about AI training, one row per change; the newest is current and
    no row means no."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="ai_training_choices"
    )
    opted_in = models.BooleanField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-changed_at"], name="legal_ai_current")]

    def __str__(self) -> str:
        return f"{self.workspace}: AI training {'allowed' if self.opted_in else 'not allowed'}"
