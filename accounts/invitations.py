"""Inviting people to a workspace by email, and accepting through the signed link."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction
from audit.trail import record
from mixora import limits
from mixora.emails import send_templated
from mixora.errors import UserFacingError

from .limits import seats_in_use
from .models import Invitation, Membership, User, Workspace
from .roles import assignable_roles

if TYPE_CHECKING:
    from django.http import HttpRequest

_SALT = "mixora.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(invitation.key)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points at, or a UserFacingError saying why not."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        key = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise UserFacingError("This invitation has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise UserFacingError("This invitation link is not valid.") from exc
    invitation = Invitation.objects.select_related("workspace").filter(key=key).first()
    if invitation is None:
        raise UserFacingError("This invitation was withdrawn. Ask for a new one.")
    if invitation.accepted_at is not None:
        raise UserFacingError("This invitation has already been used.")
    if invitation.is_expired:
        raise UserFacingError("This invitation has expired. Ask for a new one.")
    return invitation


def invite(actor: Membership, email: str, role: str, request: HttpRequest) -> Invitation:
    """Create (or renew and resend) the pending invitation of `email`."""
    email = email.strip()
    if role not in assignable_roles(actor.role):
        raise UserFacingError("You cannot invite someone with that role.")
    workspace = actor.workspace
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise UserFacingError(f"{email} is already a member of {workspace.name}.")
    with transaction.atomic():
        # Locked so two invitations sent at once cannot both take the plan's last seat.
        Workspace.objects.select_for_update().get(pk=workspace.pk)
        invitation = Invitation.objects.filter(
            workspace=workspace, email__iexact=email, accepted_at__isnull=True
        ).first()
        if invitation is None or invitation.is_expired:  # a live one already holds its seat
            limits.require(workspace, limits.MEMBERS, in_use=seats_in_use(workspace))
        try:
            if invitation is None:
                invitation = Invitation.objects.create(
                    workspace=workspace, email=email, role=role, invited_by=actor.user
                )
            else:
                invitation.role = role
                invitation.invited_by = actor.user
                invitation.sent_at = timezone.now()
                invitation.save(update_fields=["role", "invited_by", "sent_at"])
        except IntegrityError as exc:  # a concurrent invite of the same address won the race
            raise UserFacingError(f"{email} was just invited by someone else.") from exc
        record(
            AuditAction.INVITATION_SENT,
            request=request,
            workspace=workspace,
            invited_email=email,
            role=role,
        )
    send_templated(
        "invitation",
        email,
        {"invitation": invitation, "inviter": actor.user, "url": invitation_url(invitation)},
    )
    return invitation


def revoke(actor: Membership, invitation: Invitation, request: HttpRequest) -> None:
    record(
        AuditAction.INVITATION_REVOKED,
        request=request,
        workspace=actor.workspace,
        invited_email=invitation.email,
    )
    invitation.delete()


@transaction.atomic
def accept(invitation: Invitation, user: User, request: HttpRequest) -> Membership:
    # The workspace first (as invite() locks it), then the invitation re-read under a lock:
    # two clicks on the same link must not make two memberships.
    workspace = Workspace.objects.select_for_update().get(pk=invitation.workspace_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise UserFacingError("This invitation has already been used.")
    if invitation.is_expired:
        raise UserFacingError("This invitation has expired. Ask for a new one.")
    if invitation.email.lower() != user.email.lower():
        raise UserFacingError(
            f"This invitation is for {invitation.email}. Log in with that address to accept it."
        )
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        # The invitation held a seat; a plan lowered since may no longer have it. The person
        # accepting can't upgrade someone else's workspace: say whom to ask.
        try:
            limits.require(
                workspace,
                limits.MEMBERS,
                in_use=seats_in_use(workspace, except_invitation=invitation.pk),
            )
        except limits.PlanLimitExceeded as exc:
            raise UserFacingError(
                f"{workspace.name} has no free seat on its plan: ask its owner to upgrade "
                "or to free a seat, then open this link again."
            ) from exc
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        record(
            AuditAction.INVITATION_ACCEPTED,
            request=request,
            actor=user,
            workspace=invitation.workspace,
            role=invitation.role,
        )
    return membership
