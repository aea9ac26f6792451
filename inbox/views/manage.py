"""Inbox settings: retention (owners and admins), labels and saved replies (the team), and,
in the local mode, asking the emulator for customer messages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError

from .. import demo, triage
from ..forms import RetentionForm, SavedReplyForm
from ..models import Label, SavedReply
from .gate import inbox_view


@workspace_view(Capability.VIEW, write_capability=Capability.MANAGE_SETTINGS)
def inbox_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = RetentionForm(
        request.POST or None, initial={"inbox_retention_days": workspace.inbox_retention_days}
    )
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["inbox_retention_days"]
        if days != workspace.inbox_retention_days:
            workspace.inbox_retention_days = days
            workspace.save(update_fields=["inbox_retention_days"])
            record(
                AuditAction.INBOX_RETENTION_CHANGED,
                request=request,
                workspace=workspace,
                days=days or "keep",
            )
            messages.success(request, "Inbox retention saved; older messages go within the hour.")
        return redirect("inbox_settings", workspace.slug)
    context = {
        "form": form,
        "saved_reply_form": SavedReplyForm(),
        "saved_replies": workspace.saved_replies.all(),
        "labels": workspace.inbox_labels.all(),
        "can_manage": request.membership.can(Capability.MANAGE_SETTINGS),
        "can_reply": request.membership.can(Capability.INBOX_REPLY),
    }
    return render(request, "inbox/settings.html", context, status=400 if form.errors else 200)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def add_saved_reply(request: WorkspaceRequest) -> HttpResponse:
    form = SavedReplyForm(request.POST)
    if form.is_valid():
        form.instance.workspace = request.workspace
        form.instance.created_by = request.user
        form.save()
        messages.success(request, f"Saved reply “{form.instance.title}” added.")
    else:
        messages.error(
            request, "A saved reply needs a title and a text of at most 2,000 characters."
        )
    return redirect("inbox_settings", request.workspace.slug)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def delete_saved_reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedReply, pk=pk, workspace=request.workspace).delete()
    messages.success(request, "Saved reply deleted.")
    return redirect("inbox_settings", request.workspace.slug)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def add_label(request: WorkspaceRequest) -> HttpResponse:
    try:
        label = triage.create_label(request.workspace.pk, request.POST.get("name", ""))
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Label “{label.name}” ready.")
    return redirect("inbox_settings", request.workspace.slug)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def delete_label(request: WorkspaceRequest, pk: int) -> HttpResponse:
    get_object_or_404(Label, pk=pk, workspace=request.workspace).delete()
    messages.success(request, "Label deleted.")
    return redirect("inbox_settings", request.workspace.slug)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def emulate_customers(request: WorkspaceRequest) -> HttpResponse:
    """Local mode only: the emulator's customers write to this workspace's accounts."""
    if not settings.EMULATOR_URL:
        raise Http404("Only with the platform emulator.")
    try:
        sent = demo.send_customer_messages(request.workspace, request.build_absolute_uri("/"))
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The emulator sent {sent} customer messages and comments.")
    return redirect("inbox", request.workspace.slug)
