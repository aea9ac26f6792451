"""The inbox pages: the conversation list (filtered, searched, refreshed live) and one
conversation with its thread, reply box and the team's controls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from accounts.models import Membership
from accounts.roles import Capability, role_can
from accounts.tenancy import WorkspaceRequest
from connections.platforms import Platform
from mixora.templatetags.rows import platform_icon_svg, url_maker

from .. import access, queries, saved_replies, triage
from ..forms import NoteForm, ReplyForm, StatusForm
from ..models import Conversation, Label, Message
from ..windows import reply_rule
from .gate import inbox_view


def filters_from(get: QueryDict) -> queries.Filters:
    """The list's filters from a query string (the page's, or the one a form carried)."""
    status = get.get("status", "open")
    return queries.Filters(
        account=int(get["account"]) if get.get("account", "").isdigit() else None,
        platform=get.get("platform", "") if get.get("platform") in Platform.values else "",
        status=status if status in ("", *Conversation.Status.values) else "open",
        assignee=get.get("assignee", ""),
        label=int(get["label"]) if get.get("label", "").isdigit() else None,
        unread=get.get("unread") == "1",
        q=get.get("q", "").strip()[:200],
    )


def _offset(request: WorkspaceRequest) -> int:
    return int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0


def _page(request: WorkspaceRequest, filters: queries.Filters) -> tuple[list, bool]:
    offset = _offset(request)
    rows = list(
        queries.conversations(request.workspace, request.user, filters)[
            offset : offset + queries.PAGE_SIZE + 1
        ]
    )
    return rows[: queries.PAGE_SIZE], len(rows) > queries.PAGE_SIZE


def _teammates(request: WorkspaceRequest) -> list[Membership]:
    return [
        m
        for m in request.workspace.memberships.select_related("user").order_by("user__full_name")
        if role_can(m.role, Capability.INBOX_REPLY)
    ]


STATUS_LABELS = dict(Conversation.Status.choices)


@dataclass(frozen=True)
class ListRow:
    """A conversation of the list, its links, name and time made once (50 rows, and the
    list is polled every 4 s)."""

    c: Conversation
    url: str  # the conversation, keeping the list's filters
    done_url: str
    name: str  # the participant's name, else their id
    avatar_url: str  # "": no picture of ours yet, their initial shows
    initial: str
    icon: SafeString  # the platform's
    when: str  # "7 Dec 09:30"
    status_label: str
    labels: list[Label]


def _list_rows(
    request: WorkspaceRequest, conversations: list[Conversation], query: str
) -> list[ListRow]:
    slug = request.workspace.slug
    url, done_url, avatar_url = (
        url_maker(name, slug)
        for name in ("inbox_conversation", "inbox_done", "inbox_participant_avatar")
    )
    labels = queries.labels_of(conversations)
    return [
        ListRow(
            c,
            f"{url(c.pk)}?{query}",
            done_url(c.pk),
            c.participant_name or c.participant_id,
            f"{avatar_url(c.pk)}?v={c.participant_avatar_version}" if c.participant_avatar else "",
            (c.participant_name or "?")[:1].upper(),
            platform_icon_svg(c.account.platform),
            date_format(timezone.localtime(c.last_message_at), "j M H:i")
            if c.last_message_at
            else "",
            STATUS_LABELS.get(c.status, c.status),
            labels[c.pk],
        )
        for c in conversations
    ]


def _list_context(request: WorkspaceRequest, selected: Conversation | None = None) -> dict:
    filters = filters_from(request.GET)
    conversations, more = _page(request, filters)
    query = request.GET.copy()
    query.pop("offset", None)
    query.pop("since", None)
    query.pop("selected", None)
    query.pop("all", None)
    query.pop("done", None)
    return {
        "filters": filters,
        "rows": conversations,
        "list_rows": _list_rows(request, conversations, query.urlencode()),
        "more": more,
        "next_offset": _offset(request) + queries.PAGE_SIZE,
        "query": query.urlencode(),
        "since": timezone.now().isoformat(),
        "selected": selected,
        "can_reply": request.membership.can(Capability.INBOX_REPLY),
    }


def _page_context(request: WorkspaceRequest) -> dict:
    accounts = list(request.workspace.connected_accounts.order_by("platform", "display_name"))
    return {
        "accounts": accounts,
        "account_features": [(a, access.features(a)) for a in accounts],
        "labels": request.workspace.inbox_labels.all(),
        "teammates": _teammates(request),
        "statuses": Conversation.Status.choices,
        "platforms": Platform.choices,
        "can_reply": request.membership.can(Capability.INBOX_REPLY),
        "can_manage": request.membership.can(Capability.MANAGE_SETTINGS),
        "emulated": bool(settings.EMULATOR_URL),
        "undo": undo_offer(request),
    }


# The last conversation this person marked done, with what it was before (see actions.done).
UNDO_SESSION_KEY = "inbox_undo_done"


def undo_offer(request: WorkspaceRequest) -> dict | None:
    """The undo offer for a conversation just marked done, on the page the Done button led to
    (it carries ?done=<pk>); None anywhere else."""
    offer = request.session.get(UNDO_SESSION_KEY)
    if not offer or request.GET.get("done") != str(offer["conversation_id"]):
        return None
    # The name is read here rather than kept in the session: a customer's name stays in the
    # inbox's tables, under its retention.
    convo = Conversation.objects.filter(
        workspace=request.workspace, pk=offer["conversation_id"]
    ).first()
    if convo is None:
        return None
    return {**offer, "name": convo.participant_name or convo.participant_id}


@inbox_view()
@require_safe
def inbox(request: WorkspaceRequest) -> HttpResponse:
    context = {**_page_context(request), **_list_context(request)}
    return render(request, "inbox/inbox.html", context)


@inbox_view()
@require_safe
def list_updates(request: WorkspaceRequest) -> HttpResponse:
    """The list again if anything changed since the page's last look; 204 otherwise."""
    since = parse_local(request.GET.get("since", ""))
    if (
        since
        and not Conversation.objects.filter(
            workspace=request.workspace, updated_at__gt=since
        ).exists()
    ):
        return HttpResponse(status=204)
    selected_id = request.GET.get("selected", "")
    selected = None
    if selected_id.isdigit():
        selected = Conversation.objects.filter(workspace=request.workspace, pk=selected_id).first()
    return render(request, "inbox/partials/list.html", _list_context(request, selected))


def _conversation(request: WorkspaceRequest, pk: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("account", "assignee", "post_target__post"),
        pk=pk,
        workspace=request.workspace,
    )


def _thread_context(request: WorkspaceRequest, conversation: Conversation) -> dict:
    everything = request.GET.get("all") == "1"
    messages, hidden = queries.thread(conversation, everything=everything)
    return {
        "conversation": conversation,
        "thread": messages,
        "hidden": hidden,
        "everything": everything,
        **_where_the_page_is(conversation, messages, after=0, watched=[]),
    }


def _where_the_page_is(
    conversation: Conversation, shown: list[Message], *, after: int, watched: list[Message]
) -> dict:
    """What the thread's next poll sends: the version seen, the newest message id shown, and
    the messages still in flight (their look can change without a new message)."""
    return {
        "version": conversation.updated_at.isoformat(),
        "first_shown": shown[0].pk if shown else 0,
        "last_shown": max([after, *(m.pk for m in shown)]),
        "watching": sorted({m.pk for m in [*watched, *shown] if queries.in_flight(m)}),
    }


@inbox_view()
@require_safe
def conversation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    convo = _conversation(request, pk)
    triage.mark_read(convo, request.user)
    return render_conversation(request, convo)


def render_conversation(
    request: WorkspaceRequest,
    convo: Conversation,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The conversation page; a refused reply comes back with its text, never lost."""
    context = {
        **_page_context(request),
        **_list_context(request, convo),
        **_thread_context(request, convo),
        "rule": reply_rule(convo),
        "feature": access.feature_for(convo.account, convo.kind),
        "reply_form": reply_form or ReplyForm(),
        "note_form": NoteForm(),
        "status_form": StatusForm(initial={"status": convo.status}),
        "saved_replies": [
            (s.title, saved_replies.fill(s.text, convo, request.user))
            for s in request.workspace.saved_replies.all()
        ],
        "conversation_labels": list(convo.labels.all()),
        "published_post": queries.published_post(convo),
    }
    return render(request, "inbox/inbox.html", context, status=status)


@inbox_view()
@require_safe
def thread_updates(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The open thread's live poll (only what changed since the page's last look), or with
    ?before=<message id> the page of messages before that one."""
    convo = _conversation(request, pk)
    before = request.GET.get("before", "")
    if before.isdigit():
        return _earlier_page(request, convo, int(before))
    seen = parse_local(request.GET.get("v", ""))
    if seen and convo.updated_at <= seen:
        return HttpResponse(status=204)
    triage.mark_read(convo, request.user)
    after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else 0
    watch = [int(v) for v in request.GET.getlist("watch")[: queries.THREAD_WINDOW] if v.isdigit()]
    changes = _changes(convo, after, watch)
    if changes is None:  # the shown messages cannot just be added to: the thread again
        thread, hidden = queries.thread(convo)
        added = queries.newer(convo, after) if after else []
        context = {
            "thread": thread,
            "hidden": hidden,
            **_where_the_page_is(convo, [*thread, *added], after=after, watched=[]),
        }
        response = render(request, "inbox/partials/thread.html", {"conversation": convo, **context})
        response["HX-Retarget"] = "#thread"
        response["HX-Reswap"] = "outerHTML"
        return response
    added, changed, still = changes
    context = {
        "added": added,
        "changed": changed,
        **_where_the_page_is(convo, added, after=after, watched=still),
    }
    return render(request, "inbox/partials/thread_changes.html", {"conversation": convo, **context})


def _changes(
    convo: Conversation, after: int, watch: list[int]
) -> tuple[list[Message], list[Message], list[Message]] | None:
    """(messages to add at the end, messages in flight to show again, those still in flight),
    or None when the page must show the window again: it showed no message, a message it
    showed is gone, more arrived than a window, or one arrived that belongs before the last
    message shown."""
    if not after:
        return None
    last = convo.messages.filter(pk=after).values_list("sent_at", flat=True).first()
    added = queries.newer(convo, after)
    watched = list(queries.with_parts(convo.messages.filter(pk__in=watch)))
    if (
        last is None
        or len(watched) < len(set(watch))
        or len(added) > queries.THREAD_WINDOW
        or any(m.sent_at < last for m in added)
    ):
        return None
    changed = [m for m in watched if not queries.in_flight(m)]
    return added, changed, [m for m in watched if queries.in_flight(m)]


def _earlier_page(request: WorkspaceRequest, convo: Conversation, before: int) -> HttpResponse:
    page = queries.earlier(convo, before)
    if page is None:  # that message is gone: the whole thread instead
        response = HttpResponse()
        response["HX-Redirect"] = (
            reverse("inbox_conversation", args=[request.workspace.slug, convo.pk]) + "?all=1"
        )
        return response
    thread, hidden = page
    context = {
        "conversation": convo,
        "thread": thread,
        "hidden": hidden,
        "first_shown": thread[0].pk if thread else 0,
    }
    return render(request, "inbox/partials/thread_page.html", context)


def parse_local(value: str) -> datetime | None:
    """A datetime from a form or query string; without an offset it is in the workspace's time
    zone (active during the request). None when it is not a datetime."""
    try:
        moment = parse_datetime(value.strip()) if value else None
    except ValueError:
        return None
    if moment and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
