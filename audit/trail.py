"""Recording audit events: one function, called by services and signal receivers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mixora.client_ip import client_ip

from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User, Workspace


def record(
    action: AuditAction,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    subject_user: User | None = None,
    workspace: Workspace | None = None,
    **details: Any,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user  # type: ignore[assignment]
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        subject_user=subject_user,
        workspace=workspace,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
        details=details,
    )
