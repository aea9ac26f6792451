"""What the team does to a conversation: reply, note, assign, status, labels, delete."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest
from assistant import provenance
from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError

from .. import replies, retention, suggestions, triage
from ..forms import NoteForm, ReplyForm, StatusForm
from ..models import Conversation, Message
from .gate import inbox_view
from .pages import parse_local, render_conversation


def _conversation(request: WorkspaceRequest, pk: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("account", "workspace"),
        pk=pk,
        workspace=request.workspace,
    )


def _act(
    request: WorkspaceRequest, pk: int, action: Callable[[Conversation], object], done: str
) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        action(conversation)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("inbox_conversation", request.workspace.slug, conversation.pk)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise UserFacingError("Type a reply of at most 10,000 characters.")
        replies.create_reply(
            conversation,
            request.user,
            form.cleaned_data["text"],
            typed_by_person=form.cleaned_data["typed_by_person"],
        )
    except UserFacingError as exc:
        messages.error(request, str(exc))
        return render_conversation(request, conversation, reply_form=form, status=400)
    # A suggested reply the person used: sent as written, or edited first.
    provenance.settle(
        request.workspace,
        suggestions.subject(conversation.pk),
        {"reply": form.cleaned_data["text"]},
        request.POST.getlist("ai_generation"),
        sent=True,
    )
    return redirect("inbox_conversation", request.workspace.slug, conversation.pk)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def note(request: WorkspaceRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type a note of at most 5,000 characters.")
        return redirect("inbox_conversation", request.workspace.slug, pk)
    return _act(
        request, pk, lambda c: replies.add_note(c, request.user, form.cleaned_data["text"]), ""
    )


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def assign(request: WorkspaceRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("assignee", "")
    if raw and not raw.isdigit():
        messages.error(request, "Choose a teammate.")
        return redirect("inbox_conversation", request.workspace.slug, pk)
    assignee = int(raw) if raw else None
    done = "Assigned." if assignee else "Unassigned."
    return _act(request, pk, lambda c: triage.assign(c, assignee, request.user), done)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect("inbox_conversation", request.workspace.slug, pk)
    chosen = form.cleaned_data["status"]
    until = parse_local(request.POST.get("snoozed_until", ""))
    label = dict(Conversation.Status.choices)[chosen]
    return _act(
        request, pk, lambda c: triage.set_status(c, chosen, until), f"Marked {label.lower()}."
    )


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def labels(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("labels") if v.isdigit()]
    return _act(request, pk, lambda c: triage.set_labels(c, ids), "Labels saved.")


@inbox_view(Capability.VIEW)
@require_POST
def mark_unread(request: WorkspaceRequest, pk: int) -> HttpResponse:
    triage.mark_unread(_conversation(request, pk), request.user)
    return redirect("inbox", request.workspace.slug)


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def retry(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        Message.objects.select_related("conversation__account"),
        pk=pk,
        conversation__workspace=request.workspace,
    )
    try:
        replies.retry(message, request.user)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    return redirect("inbox_conversation", request.workspace.slug, message.conversation_id)


@inbox_view(Capability.MANAGE_SETTINGS)
def delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    if request.method != "POST":
        count = conversation.messages.count()
        attachments = conversation.attachments.count()
        context = {"conversation": conversation, "count": count, "attachments": attachments}
        return render(request, "inbox/delete.html", context)
    name = conversation.participant_name or conversation.participant_id
    removed = retention.delete_conversation_by_id(conversation.pk)
    record(
        AuditAction.INBOX_THREAD_DELETED,
        request=request,
        workspace=request.workspace,
        account=conversation.account.display_name,
        messages=removed,
    )
    messages.success(request, f"Deleted the conversation with {name} and its {removed} messages.")
    return redirect("inbox", request.workspace.slug)
