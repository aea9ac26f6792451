from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .policy import COOKIE_POLICY, OPTIONAL_GROUPS


class ConsentRecord(models.Model):
    """Proof of one cookie choice (GDPR Art. 7(1)): who, when, what, under which policy.
    Append-only; a newer choice by the same browser or account supersedes it."""

    class Method(models.TextChoices):
        ACCEPT_ALL = "accept_all", "Accepted all"
        REJECT_ALL = "reject_all", "Rejected all"
        CUSTOM = "custom", "Chose per category"
        GPC = "gpc", "Global Privacy Control signal"

    class Source(models.TextChoices):
        BANNER = "banner", "Cookie banner"
        SETTINGS = "settings", "Cookie settings page"
        BROWSER = "browser", "Browser signal"

    visitor_id = models.CharField(
        max_length=32, db_index=True, help_text="The random id in the browser's consent-id cookie."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # The proof outlives the account; it is purged with the other consent records.
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    superseded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    functional = models.BooleanField()
    analytics = models.BooleanField()
    marketing = models.BooleanField()
    cookie_value = models.CharField(
        max_length=500, help_text="The consent cookie as stored: each category's version or -1."
    )
    policy_version = models.CharField(max_length=32)
    gpc = models.BooleanField("Global Privacy Control", default=False)
    ip_prefix = models.GenericIPAddressField(
        "IP network", null=True, blank=True, help_text="IPv4 /24 or IPv6 /48; never the address."
    )
    user_agent_family = models.CharField("browser", max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="consent_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.created_at:%Y-%m-%d %H:%M}"

    def answers(self) -> dict[str, bool]:
        return {group: getattr(self, group) for group in OPTIONAL_GROUPS}

    def policy_url(self) -> str:
        """The cookie-policy version this choice was made under; empty for records made
        before the policy was versioned in the product (they hold its date)."""
        if not self.policy_version.isdigit():
            return ""
        return reverse("legal_version", args=[COOKIE_POLICY, int(self.policy_version)])


class UsageEvent(models.Model):
    """First-party usage analytics: one page view or feature use, recorded only with
    analytics consent and never with Global Privacy Control."""

    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", "Page viewed"
        FEATURE = "feature", "Feature used"

    class Device(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        TABLET = "tablet", "Tablet"
        DESKTOP = "desktop", "Desktop"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(
        max_length=100, help_text="The page's URL name or the feature's name; never a path."
    )
    referrer_host = models.CharField(max_length=255, blank=True)
    device = models.CharField(max_length=8, choices=Device.choices)
    ip_prefix = models.GenericIPAddressField("IP network", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="usage_events",
    )
    workspace = models.ForeignKey(
        "accounts.Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="usage_events",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
