"""Telling people about something that needs them: in the app, and by email."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Membership, Workspace
from accounts.roles import Capability, role_can
from mixora.emails import send_templated

from .models import Notification


def notify_workspace(
    workspace: Workspace,
    capability: Capability,
    *,
    message: str,
    url: str,
    email_template: str,
    context: dict[str, Any],
) -> list[Notification]:
    """Notify every member whose role has `capability`, in the app and by email."""
    members = [
        m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
        if role_can(m.role, capability) and m.user.is_active
    ]
    notes = Notification.objects.bulk_create(
        Notification(user=m.user, workspace=workspace, message=message, url=url) for m in members
    )

    def send() -> None:
        for m in members:
            send_templated(
                email_template,
                m.user.email,
                {**context, "user": m.user, "workspace": workspace, "url": url},
            )

    transaction.on_commit(send)
    return notes
