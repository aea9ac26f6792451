from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audit.models import AuditEvent

from ..forms import WorkspaceSettingsForm
from ..roles import Capability
from ..tenancy import WorkspaceRequest, workspace_view
from ..workspaces import update_workspace


@workspace_view(Capability.MANAGE_SETTINGS)
def settings_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    fields = ("name", "timezone", "approval_required", "admins_skip_review")
    form = WorkspaceSettingsForm(
        request.POST or None, initial={f: getattr(workspace, f) for f in fields}
    )
    if request.method == "POST" and form.is_valid():
        update_workspace(workspace, request, **{f: form.cleaned_data[f] for f in fields})
        messages.success(request, "Workspace settings saved.")
        return redirect("workspace_settings", workspace.slug)
    return render(request, "accounts/settings.html", {"form": form})


@workspace_view(Capability.VIEW_AUDIT)
@require_safe
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(workspace=request.workspace).select_related(
        "actor", "subject_user"
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})
