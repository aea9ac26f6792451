"""Seats a workspace uses against its plan (mixora.limits.MEMBERS): members plus the pending
invitations that can still be accepted. The same count decides an invitation or an acceptance
and shows on the billing page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation, Membership, Workspace


def live_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    """Pending invitations not yet expired: an expired link can't make a member."""
    oldest = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    return Invitation.objects.filter(
        workspace=workspace, accepted_at__isnull=True, sent_at__gt=oldest
    )


def seats_in_use(workspace: Workspace, *, except_invitation: int | None = None) -> int:
    """Members plus live pending invitations (`except_invitation`: the one being accepted,
    which becomes the member it already counted as)."""
    pending = live_invitations(workspace)
    if except_invitation is not None:
        pending = pending.exclude(pk=except_invitation)
    return Membership.objects.filter(workspace=workspace).count() + pending.count()
