from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..forms import WorkspaceForm
from ..workspaces import create_workspace


@login_required
def new_workspace(request: HttpRequest) -> HttpResponse:
    """Onboarding (a person's first workspace) and every later "New workspace"."""
    first = not request.user.memberships.exists()
    form = WorkspaceForm(request.POST or None, initial={"timezone": "UTC"}, detect_timezone=True)
    if request.method == "POST" and form.is_valid():
        workspace = create_workspace(
            request.user, form.cleaned_data["name"], form.cleaned_data["timezone"], request
        )
        return redirect("workspace_dashboard", workspace.slug)
    return render(request, "accounts/new_workspace.html", {"form": form, "first": first})
