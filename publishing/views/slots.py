from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view

from ..models import PostingSlot


class SlotForm(forms.ModelForm):
    class Meta:
        model = PostingSlot
        fields = ["account", "weekday", "time"]
        widgets = {"time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args: object, workspace: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = workspace.connected_accounts.all()


@workspace_view(Capability.VIEW, write_capability=Capability.COMPOSE)
def posting_slots(request: WorkspaceRequest) -> HttpResponse:
    """Each account's recurring posting times, in the workspace's time zone."""
    form = SlotForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except IntegrityError:
            form.add_error(None, "That account already has this slot.")
        else:
            messages.success(request, "Slot added.")
            return redirect("posting_slots", request.workspace.slug)
    accounts = request.workspace.connected_accounts.prefetch_related("slots")
    return render(
        request,
        "publishing/slots.html",
        {"form": form, "accounts": accounts},
        status=400 if form.errors else 200,
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def delete_slot(request: WorkspaceRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(PostingSlot, pk=pk, account__workspace=request.workspace)
    slot.delete()
    messages.success(request, "Slot removed.")
    return redirect("posting_slots", request.workspace.slug)
