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

from .. import demo, saved_replies, triage
from ..forms import RetentionForm, SavedReplyForm
from ..models import Label, SavedReply
from .gate import inbox_view


@workspace_view(Capability.VIEW, write_capability=Capability.MANAGE_SETTINGS)
def inbox_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = RetentionForm(request.POST or None, initial=_retention(request))
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
    return _settings_page(request, form, SavedReplyForm(), 400 if form.errors else 200)


def _retention(request: WorkspaceRequest) -> dict:
    return {"inbox_retention_days": request.workspace.inbox_retention_days}


def _settings_page(
    request: WorkspaceRequest, form: RetentionForm, saved_reply_form: SavedReplyForm, status: int
) -> HttpResponse:
    workspace = request.workspace
    context = {
        "form": form,
        "saved_reply_form": saved_reply_form,
        "saved_replies": workspace.saved_replies.all(),
        "variables": saved_replies.VARIABLES,
        "labels": workspace.inbox_labels.all(),
        "can_manage": request.membership.can(Capability.MANAGE_SETTINGS),
        "can_reply": request.membership.can(Capability.INBOX_REPLY),
    }
    return render(request, "inbox/settings.html", context, status=status)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def add_saved_reply(request: WorkspaceRequest) -> HttpResponse:
    form = SavedReplyForm(request.POST)
    if not form.is_valid():
        # Shown again with what was typed and the reason next to the field.
        return _settings_page(request, RetentionForm(initial=_retention(request)), form, 400)
    form.instance.workspace = request.workspace
    form.instance.created_by = request.user
    form.save()
    messages.success(request, f"Saved reply “{form.instance.title}” added.")
    return redirect("inbox_settings", request.workspace.slug)


@inbox_view(Capability.VIEW, write_capability=Capability.INBOX_REPLY)
def edit_saved_reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedReply, pk=pk, workspace=request.workspace)
    form = SavedReplyForm(request.POST or None, instance=saved)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved reply “{saved.title}” updated.")
        return redirect("inbox_settings", request.workspace.slug)
    context = {"form": form, "saved": saved, "variables": saved_replies.VARIABLES}
    status = 400 if form.errors else 200
    return render(request, "inbox/saved_reply_edit.html", context, status=status)


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
