"""What a workspace holds, as plain data: tests compare it before and after a refused request."""

from __future__ import annotations

from django.core import mail

from accounts.models import Invitation, Membership, Workspace
from audit.models import AuditEvent
from connections.models import ConnectedAccount
from inbox.models import Conversation, Label, Message, SavedReply


def workspace_snapshot(workspace: Workspace) -> dict[str, object]:
    workspace = Workspace.objects.get(pk=workspace.pk)
    return {
        "workspace": (
            workspace.name,
            workspace.slug,
            workspace.timezone,
            workspace.inbox_retention_days,
        ),
        "memberships": sorted(
            Membership.objects.filter(workspace=workspace).values_list("pk", "user_id", "role")
        ),
        "invitations": sorted(
            Invitation.objects.filter(workspace=workspace).values_list(
                "pk", "email", "role", "key", "sent_at", "accepted_at", "accepted_by_id"
            )
        ),
        "audit_events": AuditEvent.objects.filter(workspace=workspace).count(),
        "connected_accounts": sorted(
            ConnectedAccount.objects.filter(workspace=workspace).values_list(
                "pk", "platform", "external_id", "status"
            )
        ),
        "conversations": sorted(
            Conversation.objects.filter(workspace=workspace).values_list(
                "pk", "status", "assignee_id", "snoozed_until", "updated_at"
            )
        ),
        "messages": sorted(
            Message.objects.filter(conversation__workspace=workspace).values_list(
                "pk", "status", "error"
            )
        ),
        "labels": sorted(Label.objects.filter(workspace=workspace).values_list("pk", "name")),
        "saved_replies": SavedReply.objects.filter(workspace=workspace).count(),
        "emails": len(getattr(mail, "outbox", [])),
    }
