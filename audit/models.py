"""The security and activity log. Every app records into it (audit.trail.record), so it sits
in the bottom layer and names no other app but accounts."""

from __future__ import annotations

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
    POST_DELETED = "post.deleted", "Post deleted"
    MEDIA_DELETED = "media.deleted", "Media file deleted"


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
