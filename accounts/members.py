"""Changing who is in a workspace and with which role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError

from .models import Membership
from .roles import Role, assignable_roles

if TYPE_CHECKING:
    from django.http import HttpRequest


def _lock_memberships(workspace_id: int) -> list[Membership]:
    # Every membership change locks the workspace's rows in one order, so two admins
    # demoting the last two owners at the same moment cannot both succeed.
    return list(
        Membership.objects.select_for_update().filter(workspace_id=workspace_id).order_by("pk")
    )


def _fresh(locked: dict[int, Membership], *members: Membership) -> list[Membership]:
    """The locked, current rows of `members`: a role changed or a member removed since the
    request read them must decide, not the stale copy."""
    fresh = [locked.get(m.pk) for m in members]
    if any(m is None for m in fresh):
        raise UserFacingError("The team changed meanwhile: reload the page and try again.")
    return fresh


def _other_owners(memberships: list[Membership], target: Membership) -> int:
    return sum(1 for m in memberships if m.role == Role.OWNER and m.pk != target.pk)


def _may_manage(actor: Membership, target: Membership) -> None:
    if actor.role not in (Role.OWNER, Role.ADMIN):
        raise UserFacingError("Only owners and admins can manage members.")
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise UserFacingError("Only an owner can change or remove another owner.")


@transaction.atomic
def change_role(
    actor: Membership, target: Membership, new_role: str, request: HttpRequest
) -> Membership:
    locked = {m.pk: m for m in _lock_memberships(actor.workspace_id)}
    actor, target = _fresh(locked, actor, target)
    _may_manage(actor, target)
    if new_role not in assignable_roles(actor.role):
        raise UserFacingError("You cannot give that role.")
    if target.role == new_role:
        return target
    if target.role == Role.OWNER and not _other_owners(list(locked.values()), target):
        raise UserFacingError(
            "A workspace needs at least one owner: make someone else owner first."
        )
    old_role = target.role
    target.role = new_role
    target.save(update_fields=["role"])
    record(
        AuditAction.ROLE_CHANGED,
        request=request,
        workspace=target.workspace,
        subject_user=target.user,
        old_role=old_role,
        new_role=new_role,
    )
    return target


@transaction.atomic
def remove_member(actor: Membership, target: Membership, request: HttpRequest) -> None:
    locked = {m.pk: m for m in _lock_memberships(actor.workspace_id)}
    actor, target = _fresh(locked, actor, target)
    leaving = actor.pk == target.pk
    if not leaving:
        _may_manage(actor, target)
    if target.role == Role.OWNER and not _other_owners(list(locked.values()), target):
        raise UserFacingError(
            "The last owner cannot leave or be removed: transfer ownership first."
        )
    target.delete()
    record(
        AuditAction.MEMBER_LEFT if leaving else AuditAction.MEMBER_REMOVED,
        request=request,
        workspace=actor.workspace,
        subject_user=target.user,
        role=target.role,
    )


@transaction.atomic
def transfer_ownership(actor: Membership, target: Membership, request: HttpRequest) -> None:
    """The target becomes an owner and the acting owner steps down to admin."""
    locked = {m.pk: m for m in _lock_memberships(actor.workspace_id)}
    actor, target = _fresh(locked, actor, target)
    if actor.role != Role.OWNER:
        raise UserFacingError("Only an owner can transfer ownership.")
    if actor.pk == target.pk:
        raise UserFacingError("You already own this workspace.")
    target.role = Role.OWNER
    target.save(update_fields=["role"])
    actor.role = Role.ADMIN
    actor.save(update_fields=["role"])
    record(
        AuditAction.OWNERSHIP_TRANSFERRED,
        request=request,
        workspace=actor.workspace,
        subject_user=target.user,
    )
