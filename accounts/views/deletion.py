"""The account's "Privacy & data" page, and deleting an account or a workspace: both need
the person to confirm by typing and to re-authenticate."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from mixora.errors import UserFacingError

from .. import deletion
from ..roles import Capability
from ..tenancy import WorkspaceRequest, workspace_view


@login_required
@require_safe
def privacy_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy_settings.html", {"grace_days": deletion.grace().days})


@login_required
@reauthentication_required
def delete_account(request: HttpRequest) -> HttpResponse:
    blockers = deletion.sole_owned_workspaces(request.user)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != "DELETE":
            error = "Type DELETE in capitals to confirm."
        else:
            try:
                deletion.start_account_deletion(request.user, request=request)
            except UserFacingError as exc:
                error = str(exc)
            else:
                logout(request)
                return redirect("account_deleted")
    context = {"blockers": blockers, "error": error, "grace_days": deletion.grace().days}
    return render(request, "accounts/delete_account.html", context, status=400 if error else 200)


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html", {"grace_days": deletion.grace().days})


@workspace_view(Capability.DELETE_WORKSPACE)
@reauthentication_required
def delete_workspace(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != workspace.name:
            error = f"Type the workspace's name, {workspace.name}, to confirm."
        else:
            deletion.delete_workspace(workspace, actor=request.user, request=request)
            messages.success(
                request,
                f"{workspace.name} is deleted. What it held is purged within "
                f"{deletion.grace().days} days.",
            )
            return redirect("home")
    context = {
        "error": error,
        "grace_days": deletion.grace().days,
        "accounts": workspace.connected_accounts.count(),
        "posts": workspace.posts.count(),
        "members": workspace.memberships.count(),
    }
    return render(request, "accounts/delete_workspace.html", context, status=400 if error else 200)
