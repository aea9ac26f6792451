from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mixora.errors import UserFacingError

from .. import invitations
from ..adapter import PENDING_INVITATION_SESSION_KEY
from ..models import User
from ..roles import ROLE_DESCRIPTIONS


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation email links to; works with or without an account."""
    try:
        invitation = invitations.invitation_from_token(token)
    except UserFacingError as exc:
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)

    context = {
        "invitation": invitation,
        "role_description": ROLE_DESCRIPTIONS[invitation.role],
    }
    if not request.user.is_authenticated:
        # Remember the link through sign-up or log-in; the adapter brings them back here.
        request.session[PENDING_INVITATION_SESSION_KEY] = token
        has_account = User.objects.filter(email__iexact=invitation.email).exists()
        if not has_account:
            # The link reached this inbox, which proves the address: no second email check.
            get_adapter(request).stash_verified_email(request, invitation.email)
        context["has_account"] = has_account
        return render(request, "accounts/invitation_guest.html", context)

    if request.method == "POST":
        try:
            invitations.accept(invitation, request.user, request)
        except UserFacingError as exc:
            messages.error(request, str(exc))
            return redirect("invitation_accept", token)
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        messages.success(request, f"Welcome to {invitation.workspace.name}!")
        return redirect("workspace_dashboard", invitation.workspace.slug)

    context["email_matches"] = invitation.email.lower() == request.user.email.lower()
    if not context["email_matches"]:
        # Not theirs: stop sending this person back here; "switch account" re-opens the link.
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    return render(request, "accounts/invitation_accept.html", context)
