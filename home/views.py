from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.roles import ROLE_DESCRIPTIONS
from accounts.tenancy import WorkspaceRequest, workspace_view

from . import queries


@workspace_view()
@require_safe
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """The workspace home: what needs this person now, and what goes out today."""
    workspace = request.workspace
    member_count = workspace.memberships.count()
    connected_count = workspace.connected_accounts.count()
    context = {
        "home": queries.home(request.membership, timezone.now()),
        "role_description": ROLE_DESCRIPTIONS[request.membership.role],
        "member_count": member_count,
        "connected_count": connected_count,
        # The set-up steps stay until the team has someone to work with and somewhere to post.
        "setting_up": member_count < 2 or not connected_count,
    }
    return render(request, "home/dashboard.html", context)
