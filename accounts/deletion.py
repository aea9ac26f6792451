"""Deleting an account or a workspace, as the privacy policy promises: at once, the person
(or workspace) is gone from the product: signed out everywhere, personal data erased or
anonymised ("Deleted user" on shared content), platform grants revoked. What is left (rows
other people's content points at, backups) is purged after DELETION_GRACE_DAYS."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError
from mixora.personal_data import person_deleted, workspace_deleted, workspace_purging

from .models import Membership, User, Workspace
from .personal_data import DELETED_NAME
from .roles import Role

log = logging.getLogger(__name__)


def grace() -> timedelta:
    return timedelta(days=settings.DELETION_GRACE_DAYS)


def sole_owned_workspaces(user: User) -> list[Workspace]:
    """Workspaces where this person is the only owner: each must be handed over or deleted
    before the account can go."""
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values("workspace_id")
    # Counted over all memberships, not only the joined row of this person.
    return list(
        Workspace.objects.filter(pk__in=owned)
        .annotate(
            owners=Count("memberships", filter=Q(memberships__role=Role.OWNER), distinct=True),
            people=Count("memberships", distinct=True),
        )
        .filter(owners=1)
        .order_by("name")
    )


def _sign_out_everywhere(user: User) -> None:
    # Sessions carry a hash of the password: changing it ends every session at once.
    user.set_unusable_password()


def start_account_deletion(
    user: User,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> datetime:
    """Deactivate and anonymise now; when the rest is purged. UserFacingError while the
    person is the only owner of a workspace."""
    blockers = sole_owned_workspaces(user)
    if blockers:
        names = ", ".join(w.name for w in blockers)
        raise UserFacingError(
            f"You are the only owner of {names}: transfer ownership or delete "
            f"{'it' if len(blockers) == 1 else 'them'} first."
        )
    now = now or timezone.now()
    address, name = user.email, user.display_name
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        # Recorded first, so the person's own address and IP are scrubbed from it too.
        record(
            AuditAction.ACCOUNT_DELETED,
            request=request,
            actor=actor or user,
            subject_user=user,
            reason=reason or "requested by the person",
        )
        # Every app erases or anonymises what it holds about the person (their
        # personal_data.py), while the row still has their address to match on.
        person_deleted.send(sender=User, user=user, email=address, name=name, now=now)
        _anonymise(user)
        user.is_active = False
        user.deactivated_at = now
        user.purge_after = now + grace()
        _sign_out_everywhere(user)
        user.save()
        transaction.on_commit(lambda: _confirm_by_email(address, name, now + grace()))
    return now + grace()


def _anonymise(user: User) -> None:
    if user.avatar:
        name = user.avatar.name
        transaction.on_commit(lambda: default_storage.delete(name))
    user.avatar = ""
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.full_name = DELETED_NAME
    user.company = user.job_title = user.country = ""


def _confirm_by_email(address: str, name: str, purge_on: datetime) -> None:
    send_mail(
        "Your Mixora account is deleted",
        f"Hello {name},\n\nYour Mixora account is deleted: you are signed out everywhere and "
        "your personal details are erased. Content you wrote in shared workspaces now shows "
        "as written by a deleted user.\n\nWhat remains of your account in our systems and "
        f"backups is purged by {purge_on:%d %B %Y}.\n\nThe Mixora team",
        None,
        [address],
    )


def purge_account(user: User) -> None:
    """The end of the grace period: the row goes; content it wrote stays, author emptied."""
    record(AuditAction.ACCOUNT_PURGED, subject_user=None, user_id=user.pk)
    user.delete()


def purge_due_accounts(now: datetime | None = None) -> int:
    due = User.objects.filter(purge_after__lte=now or timezone.now(), is_active=False)
    count = 0
    for user in due.iterator(chunk_size=100):
        purge_account(user)
        count += 1
    return count


def delete_child_account(user: User, *, actor: User) -> None:
    """An account reported as a child's (under 13, or 16 in the EEA and UK): everything goes
    at once, no grace period. Workspaces only they belong to go with it; a workspace with
    other members keeps its content (UserFacingError if the child is its only owner)."""
    for workspace in sole_owned_workspaces(user):
        if workspace.people > 1:
            raise UserFacingError(
                f"{user.email} is the only owner of {workspace.name}, which has other members: "
                "make one of them owner first."
            )
        delete_workspace(workspace, actor=actor)
        purge_workspace(workspace)
    start_account_deletion(user, actor=actor, reason="reported as a child's account")
    purge_account(User.objects.get(pk=user.pk))


# --- Workspaces ---------------------------------------------------------------------------


def delete_workspace(
    workspace: Workspace, *, actor: User, request: HttpRequest | None = None
) -> datetime:
    """Close the workspace now: members lose it, platform grants are revoked (which deletes
    the accounts' inbox data); its posts and media are purged after the grace period."""
    now = timezone.now()
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
        if workspace.deleted_at:
            raise UserFacingError("This workspace is already deleted.")
        workspace_deleted.send(sender=Workspace, workspace=workspace, now=now)
        workspace.memberships.all().delete()
        workspace.invitations.all().delete()
        workspace.deleted_at = now
        workspace.purge_after = now + grace()
        workspace.save(update_fields=["deleted_at", "purge_after"])
        record(AuditAction.WORKSPACE_DELETED, request=request, actor=actor, workspace=workspace)
    return now + grace()


def purge_workspace(workspace: Workspace) -> None:
    files: list[str] = []
    with transaction.atomic():
        record(AuditAction.WORKSPACE_PURGED, workspace=None, workspace_id=workspace.pk)
        workspace_purging.send(sender=Workspace, workspace=workspace, files=files)
        workspace.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def purge_due_workspaces(now: datetime | None = None) -> int:
    due = Workspace.objects.filter(purge_after__lte=now or timezone.now())
    count = 0
    for workspace in due.iterator(chunk_size=20):
        purge_workspace(workspace)
        count += 1
    return count
