"""Workspace roles and what each may do: the one place that answers "may this member …?"."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"


class Capability(StrEnum):
    VIEW = "view"
    COMPOSE = "compose"
    INBOX_REPLY = "inbox_reply"
    APPROVE = "approve"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_CONNECTIONS = "manage_connections"
    VIEW_AUDIT = "view_audit"
    VIEW_BILLING = "view_billing"
    MANAGE_BILLING = "manage_billing"
    DELETE_WORKSPACE = "delete_workspace"
    TRANSFER_OWNERSHIP = "transfer_ownership"


_EVERYONE = {Capability.VIEW}
_ADMINISTER = {
    Capability.COMPOSE,
    Capability.INBOX_REPLY,
    Capability.APPROVE,
    Capability.MANAGE_MEMBERS,
    Capability.MANAGE_SETTINGS,
    Capability.MANAGE_CONNECTIONS,
    Capability.VIEW_AUDIT,
    Capability.VIEW_BILLING,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OWNER: frozenset(
        _EVERYONE
        | _ADMINISTER
        | {Capability.MANAGE_BILLING, Capability.DELETE_WORKSPACE, Capability.TRANSFER_OWNERSHIP}
    ),
    Role.ADMIN: frozenset(_EVERYONE | _ADMINISTER),
    Role.EDITOR: frozenset(_EVERYONE | {Capability.COMPOSE, Capability.INBOX_REPLY}),
    Role.APPROVER: frozenset(_EVERYONE | {Capability.APPROVE, Capability.INBOX_REPLY}),
    Role.VIEWER: frozenset(_EVERYONE),
}

ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.OWNER: "Everything, including billing and deleting the workspace.",
    Role.ADMIN: "Manages members, connected accounts and settings; composes and approves.",
    Role.EDITOR: (
        "Composes and schedules posts; publishes directly where approval is off; answers the inbox."
    ),
    Role.APPROVER: "Reviews drafts and approves or rejects them; answers the inbox.",
    Role.VIEWER: "Read-only access to the calendar, inbox and analytics.",
}


def role_can(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def assignable_roles(actor_role: str) -> list[str]:
    """Roles an actor may give to someone else: only owners create owners."""
    if actor_role == Role.OWNER:
        return list(Role.values)
    if actor_role == Role.ADMIN:
        return [r for r in Role.values if r != Role.OWNER]
    return []
