from __future__ import annotations

from datetime import time

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Workspace
from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError

from .. import slots
from ..models import PostingSlot

WEEKDAYS, EVERY_DAY = ["0", "1", "2", "3", "4"], [str(d) for d in range(7)]


class SlotsForm(forms.Form):
    """Several accounts × several weekdays × several times at once."""

    accounts = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Accounts"
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=PostingSlot.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Days",
    )
    times = forms.CharField(
        label="Times",
        max_length=500,
        help_text="24-hour times separated by commas, e.g. 09:00, 12:30, 17:00.",
        widget=forms.TextInput(attrs={"placeholder": "09:00, 12:30, 17:00"}),
    )

    def __init__(self, *args: object, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = workspace.connected_accounts.all()
        self.fields["accounts"].error_messages["required"] = "Choose at least one account."
        self.fields["weekdays"].error_messages["required"] = "Choose at least one day."

    def clean_times(self) -> list[time]:
        try:
            return slots.parse_times(self.cleaned_data["times"])
        except UserFacingError as exc:
            raise forms.ValidationError(str(exc)) from None


@workspace_view(Capability.VIEW, write_capability=Capability.COMPOSE)
def posting_slots(request: WorkspaceRequest) -> HttpResponse:
    """Each account's recurring posting times, in the workspace's time zone."""
    form = SlotsForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        added, skipped = slots.add_slots(
            [a.pk for a in form.cleaned_data["accounts"]],
            form.cleaned_data["weekdays"],
            form.cleaned_data["times"],
        )
        note = f" {skipped} already existed." if skipped else ""
        messages.success(request, f"{added} slot{'s' if added != 1 else ''} added.{note}")
        return redirect("posting_slots", request.workspace.slug)
    accounts = request.workspace.connected_accounts.prefetch_related("slots")
    return render(
        request,
        "publishing/slots.html",
        {"form": form, "accounts": accounts, "weekdays": WEEKDAYS, "every_day": EVERY_DAY},
        status=400 if form.errors else 200,
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def delete_slot(request: WorkspaceRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(PostingSlot, pk=pk, account__workspace=request.workspace)
    slot.delete()
    messages.success(request, "Slot removed.")
    return redirect("posting_slots", request.workspace.slug)
