from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login.succeeded", "Logged in"
    LOGIN_FAILED = "login.failed", "Failed log-in"
    LOGGED_OUT = "logout", "Logged out"
    PASSWORD_CHANGED = "password.changed", "Password changed"
    PASSWORD_RESET = "password.reset", "Password reset"
    EMAIL_CHANGED = "email.changed", "Email address changed"
    MFA_ADDED = "mfa.added", "Two-factor method added"
    MFA_REMOVED = "mfa.removed", "Two-factor method removed"
    MFA_RECOVERY_RESET = "mfa.recovery_reset", "Recovery codes regenerated"
    WORKSPACE_CREATED = "workspace.created", "Workspace created"
    WORKSPACE_UPDATED = "workspace.updated", "Workspace settings changed"
    INVITATION_SENT = "invitation.sent", "Invitation sent"
    INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
    ROLE_CHANGED = "member.role_changed", "Role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_LEFT = "member.left", "Member left"
    OWNERSHIP_TRANSFERRED = "workspace.ownership_transferred", "Ownership transferred"
    ACCOUNT_CONNECTED = "account.connected", "Social account connected"
    ACCOUNT_RECONNECTED = "account.reconnected", "Social account reconnected"
    ACCOUNT_DISCONNECTED = "account.disconnected", "Social account disconnected"
    INBOX_THREAD_DELETED = "inbox.thread_deleted", "Inbox conversation deleted"
    INBOX_RETENTION_CHANGED = "inbox.retention_changed", "Inbox retention changed"
    ACCOUNT_DELETED = "user.deleted", "Account deleted"
    ACCOUNT_PURGED = "user.purged", "Deleted account purged"
    WORKSPACE_DELETED = "workspace.deleted", "Workspace deleted"
    WORKSPACE_PURGED = "workspace.purged", "Deleted workspace purged"
    PRIVACY_REQUEST_FILED = "privacy_request.filed", "Privacy request filed"
    PRIVACY_REQUEST_CONFIRMED = "privacy_request.confirmed", "Privacy request email confirmed"
    PRIVACY_REQUEST_VERIFIED = "privacy_request.verified", "Privacy request verified"
    PRIVACY_REQUEST_STARTED = "privacy_request.started", "Privacy request in progress"
    PRIVACY_REQUEST_EXTENDED = "privacy_request.extended", "Privacy request deadline extended"
    PRIVACY_REQUEST_REJECTED = "privacy_request.rejected", "Privacy request rejected"
    PRIVACY_REQUEST_COMPLETED = "privacy_request.completed", "Privacy request completed"


class AuditEvent(models.Model):
    """A security-relevant event. Append-only: nothing in the product edits one."""

    action = models.CharField(max_length=64, choices=AuditAction.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person the event is about, when not the actor.",
    )
    workspace = models.ForeignKey(
        "accounts.Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_ws_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


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
        help_text="The requester's account: the one it was filed from, or for a marketing "
        "opt-out the account using the confirmed address.",
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(
        max_length=24,
        choices=Status.choices,
        default=Status.AWAITING_CONFIRMATION,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The clock starts here: at filing when logged in, at email confirmation otherwise.
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
