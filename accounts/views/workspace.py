from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from privacy.models import AuditEvent

from ..forms import WorkspaceForm
from ..roles import ROLE_DESCRIPTIONS, Capability
from ..tenancy import WorkspaceRequest, workspace_view
from ..workspaces import update_workspace


@workspace_view()
@require_safe
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    context = {
        "member_count": workspace.memberships.count(),
        "pending_invitations": workspace.invitations.filter(accepted_at__isnull=True).count(),
        "role_description": ROLE_DESCRIPTIONS[request.membership.role],
        "connected_count": workspace.connected_accounts.count(),
    }
    return render(request, "accounts/dashboard.html", context)


@workspace_view(Capability.MANAGE_SETTINGS)
def settings_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceForm(
        request.POST or None, initial={"name": workspace.name, "timezone": workspace.timezone}
    )
    if request.method == "POST" and form.is_valid():
        update_workspace(
            request.workspace,
            name=form.cleaned_data["name"],
            timezone=form.cleaned_data["timezone"],
            request=request,
        )
        messages.success(request, "Workspace settings saved.")
        return redirect("workspace_settings", request.workspace.slug)
    return render(request, "accounts/settings.html", {"form": form})


@workspace_view(Capability.VIEW_AUDIT)
@require_safe
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(workspace=request.workspace).select_related(
        "actor", "subject_user"
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})
