"""What the team does to a conversation: reply, note, assign, status, done (and undo),
labels, delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest
from assistant import provenance
from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError

from .. import queries, replies, retention, suggestions, triage
from ..forms import NoteForm, ReplyForm, StatusForm
from ..models import Conversation, Message
from .gate import inbox_view
from .pages import UNDO_SESSION_KEY, filters_from, parse_local, render_conversation


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
    def ids(name: str) -> list[int]:
        return [int(v) for v in request.POST.getlist(name) if v.isdigit()]

    new_name = request.POST.get("new_label", "")
    return _act(
        request,
        pk,
        lambda c: triage.change_labels(c, ids("shown"), ids("labels"), new_name),
        "Labels saved.",
    )


def _list_query(raw: str) -> QueryDict:
    """The conversation list's query string a form carried, as the list reads it."""
    query = QueryDict(raw[:2000], mutable=True)
    for name in ("offset", "since", "selected", "all", "done"):
        query.pop(name, None)
    return query


def _to(name: str, slug: str, query: QueryDict, *args: object, **extra: str) -> HttpResponse:
    query = query.copy()
    query.update(extra)
    return redirect(f"{reverse(name, args=[slug, *args])}?{query.urlencode()}")


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def done(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One click: mark it done, offer to undo, and go on to the next conversation of the list
    (when it was the open one; otherwise stay where the person was)."""
    conversation = _conversation(request, pk)
    query = _list_query(request.POST.get("query", ""))
    following = queries.next_after(
        request.workspace, request.user, filters_from(query), conversation
    )
    before = triage.resolve(conversation)
    request.session[UNDO_SESSION_KEY] = {
        "conversation_id": before.conversation_id,
        "status": before.status,
        "snoozed_until": before.snoozed_until.isoformat() if before.snoozed_until else None,
    }
    slug, opened = request.workspace.slug, request.POST.get("open", "")
    if opened.isdigit() and int(opened) != conversation.pk:
        return _to("inbox_conversation", slug, query, int(opened), done=str(pk))
    if opened and following is not None:
        return _to("inbox_conversation", slug, query, following.pk, done=str(pk))
    return _to("inbox", slug, query, done=str(pk))


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def undo_done(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    offer = request.session.get(UNDO_SESSION_KEY) or {}
    try:
        if offer.get("conversation_id") != conversation.pk:
            raise UserFacingError("Nothing to undo for this conversation.")
        until = offer["snoozed_until"]
        before = triage.Resolved(
            conversation.pk, offer["status"], datetime.fromisoformat(until) if until else None
        )
        triage.undo_resolve(conversation, before)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        del request.session[UNDO_SESSION_KEY]
        label = dict(Conversation.Status.choices)[before.status].lower()
        messages.success(request, f"Undone: back to {label}.")
    query = _list_query(request.POST.get("query", ""))
    return _to("inbox_conversation", request.workspace.slug, query, conversation.pk)


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
