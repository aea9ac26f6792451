from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view

from .. import ai
from ..forms import AITrainingForm


@workspace_view(Capability.VIEW, write_capability=Capability.MANAGE_SETTINGS)
def ai_training_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    allowed = ai.training_allowed(workspace)
    data = request.POST if request.method == "POST" else None
    form = AITrainingForm(data, initial={"opted_in": "yes" if allowed else "no"})
    if request.method == "POST":
        if form.is_valid():
            opted_in = form.cleaned_data["opted_in"]
            if not ai.set_training_choice(workspace, opted_in, request.user):
                messages.info(request, "Nothing changed.")
            elif opted_in:
                messages.success(request, "AI training allowed for this workspace.")
            else:
                messages.success(request, "AI training turned off for this workspace.")
            return redirect("ai_training", workspace.slug)
        messages.error(request, "Choose whether to allow AI training; nothing was changed.")
    context = {
        "form": form,
        "allowed": allowed,
        "current": ai.current_choice(workspace),
        "history": ai.history(workspace)[:20],
        "can_manage": request.membership.can(Capability.MANAGE_SETTINGS),
    }
    return render(request, "legal/ai_training.html", context, status=400 if form.errors else 200)
