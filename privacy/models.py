from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models

_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out on calls


def new_request_reference() -> str:
    return "PR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


class PrivacyRequest(models.Model):
    """A person's request about their personal data, from filing to answer.

    Kept 24 months after it is closed (CCPA regs §7101): age it by `closed_at`."""

    class Type(models.TextChoices):
        ACCESS = "access", "See my data (access, right to know)"
        PORTABILITY = "portability", "Get a copy to take elsewhere (portability)"
        CORRECTION = "correction", "Correct my data"
        DELETION = "deletion", "Delete my data"
        RESTRICTION = "restriction", "Restrict or object to how my data is used"
        LIMIT_SENSITIVE = "limit_sensitive", "Limit use of my sensitive data"
        OPT_OUT_SALE = "opt_out_sale", "Opt out of sale or sharing"
        MARKETING_OPT_OUT = "marketing_opt_out", "Stop marketing emails"

    class Jurisdiction(models.TextChoices):
        EEA = "eea", "EEA / EU"
        UK = "uk", "United Kingdom"
        CALIFORNIA = "california", "California"
        OTHER = "other", "Somewhere else"

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting email confirmation"
        RECEIVED = "received", "Received"
        VERIFIED = "verified", "Verified"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        ACCOUNT = "account", "Filed while logged in"
        EMAIL = "email", "Email address confirmed by link"
        SUPPORT = "support", "Received by email, entered by support"

    reference = models.CharField(
        max_length=11, unique=True, default=new_request_reference, editable=False
    )
    request_type = models.CharField("type", max_length=24, choices=Type.choices)
    jurisdiction = models.CharField(max_length=16, choices=Jurisdiction.choices)
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    details = models.TextField(max_length=5000, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
        help_text="The requester's account: the one it was filed from, or the one whose "
        "address confirmed the request by the emailed link.",
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The support agent who entered a request received by email.",
    )
    status = models.CharField(
        max_length=24,
        choices=Status.choices,
        default=Status.AWAITING_CONFIRMATION,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The clock starts here: at filing when logged in, at email confirmation when filed on the
    # site logged out, on the day it arrived for a request support entered from an email.
    received_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    extended = models.BooleanField(default=False)
    extension_reason = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    completion_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When it was completed or rejected; the record is kept 24 months from here.",
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("work_privacyrequest", "Can work privacy requests")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = frozenset(
    {
        PrivacyRequest.Status.RECEIVED,
        PrivacyRequest.Status.VERIFIED,
        PrivacyRequest.Status.IN_PROGRESS,
    }
)


class PrivacyRequestEvent(models.Model):
    """One step in a request's history. Append-only: a saved event is never changed."""

    class Actor(models.TextChoices):
        REQUESTER = "requester", "Requester"
        STAFF = "staff", "Support staff"
        SYSTEM = "system", "System"

    class Step(models.TextChoices):
        FILED = "filed", "Request filed"
        CONFIRMED = "confirmed", "Email address confirmed"
        VERIFIED = "verified", "Request verified"
        STARTED = "started", "Work started"
        EXTENDED = "extended", "Deadline extended"
        REJECTED = "rejected", "Request rejected"
        COMPLETED = "completed", "Request completed"

    privacy_request = models.ForeignKey(
        PrivacyRequest, on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    step = models.CharField(max_length=16, choices=Step.choices)
    actor_kind = models.CharField(max_length=16, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(max_length=24, choices=PrivacyRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=PrivacyRequest.Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} ({self.privacy_request_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Privacy request events are append-only.")
        super().save(*args, **kwargs)
