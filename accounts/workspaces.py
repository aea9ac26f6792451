"""Creating and changing workspaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify

from audit.models import AuditAction
from audit.trail import record

from .models import Membership, User, Workspace
from .roles import Role

if TYPE_CHECKING:
    from django.http import HttpRequest

# Sent once a workspace's new time zone is committed (`workspace`): apps that keep local times
# of its data (analytics' weekday and hour of each post) bring them up to date.
timezone_changed = Signal()

RESERVED_SLUGS = frozenset({"new", "admin", "api", "static", "media", "settings", "www"})


def unique_slug(name: str) -> str:
    base = (slugify(name) or "workspace")[:40].strip("-") or "workspace"
    if base in RESERVED_SLUGS:
        base = f"{base}-team"
    taken = set(Workspace.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@transaction.atomic
def create_workspace(
    owner: User, name: str, timezone: str, request: HttpRequest | None = None
) -> Workspace:
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name), timezone=timezone)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    record(AuditAction.WORKSPACE_CREATED, request=request, actor=owner, workspace=workspace)
    return workspace


def update_workspace(workspace: Workspace, request: HttpRequest, **values: object) -> Workspace:
    """Change name, time zone and review settings; the audit trail records what changed."""
    changed = {
        field: value for field, value in values.items() if getattr(workspace, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(workspace, field, value)
        workspace.save(update_fields=list(changed))
        record(AuditAction.WORKSPACE_UPDATED, request=request, workspace=workspace, **changed)
        if "timezone" in changed:
            transaction.on_commit(
                lambda: timezone_changed.send(sender=Workspace, workspace=workspace)
            )
    return workspace
