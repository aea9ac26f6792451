"""Reading the inbox: the filtered, searched conversation list with per-person unread state,
in a fixed number of queries whatever the page holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User, Workspace
from publishing.models import PostTarget

from .models import Conversation, Label, Message, ReadMark
from .search import normalise

PAGE_SIZE = 50
# Must match the expression index of migration 0006 to use it.
SEARCH_CONFIG = "simple"


@dataclass(frozen=True)
class Filters:
    account: int | None = None
    platform: str = ""
    status: str = "open"  # "" means every status
    assignee: str = ""  # "", "me", "none" or a user id
    label: int | None = None
    unread: bool = False
    q: str = ""


def unread_for(user: User) -> Exists:
    """True when the customer wrote after this person last read the thread."""
    read = ReadMark.objects.filter(
        conversation=OuterRef("pk"), user=user, read_at__gte=OuterRef("last_inbound_at")
    )
    return Q(last_inbound_at__isnull=False) & ~Exists(read)


def matching_messages(q: str) -> QuerySet[Message]:
    """Messages with the words of `q`, whatever their accents and case."""
    q = normalise(q)
    if connection.vendor == "postgresql":
        return Message.objects.annotate(
            search=SearchVector("search_text", config=SEARCH_CONFIG)
        ).filter(search=SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch"))
    return Message.objects.filter(search_text__contains=q)  # the local SQLite mode


def conversations(workspace: Workspace, user: User, filters: Filters) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(workspace=workspace)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.platform:
        qs = qs.filter(account__platform=filters.platform)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.label:
        qs = qs.filter(labels__id=filters.label)
    if filters.unread:
        qs = qs.filter(unread_for(user))
    if filters.q:
        hits = matching_messages(filters.q).filter(conversation=OuterRef("pk"))
        qs = qs.filter(Q(search_name__contains=normalise(filters.q)) | Exists(hits))
    return (
        qs.annotate(unread=unread_for(user))
        .select_related("account", "assignee")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))
        .order_by("-last_message_at", "-id")
    )


# A long thread shows its newest messages; the rest on request (rendering is most of a page's
# time at hundreds of messages, and the live poll re-renders what is shown).
THREAD_WINDOW = 100


def thread(conversation: Conversation, *, everything: bool = False) -> tuple[list[Message], int]:
    """The thread in time order (the newest THREAD_WINDOW unless `everything`), and how many
    earlier messages were left out."""
    messages = conversation.messages.select_related("author").prefetch_related("attachments")
    if everything:
        return list(messages.order_by("sent_at", "id")), 0
    newest = list(messages.order_by("-sent_at", "-id")[: THREAD_WINDOW + 1])
    hidden = 0
    if len(newest) > THREAD_WINDOW:
        newest = newest[:THREAD_WINDOW]
        hidden = conversation.messages.count() - THREAD_WINDOW
    return newest[::-1], hidden


def next_after(
    workspace: Workspace, user: User, filters: Filters, current: Conversation
) -> Conversation | None:
    """The conversation after `current` in the list as filtered (older first, else the one
    just above it): where Done goes next."""
    others = conversations(workspace, user, filters).exclude(pk=current.pk)
    at = current.last_message_at
    older = others.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=current.pk))
    newer = others.filter(Q(last_message_at__gt=at) | Q(last_message_at=at, id__gt=current.pk))
    return older.first() or newer.order_by("last_message_at", "id").first()


def published_post(conversation: Conversation) -> PostTarget | None:
    """For a comment thread on a post Mixora published: that post as published on this account
    (its own caption, its permalink). Linked when the first comment arrives; looked up again
    here for a thread that began before the publisher recorded the platform's post id."""
    if conversation.post_target_id or not conversation.external_post_id:
        return conversation.post_target
    target = (
        PostTarget.objects.select_related("post")
        .filter(account_id=conversation.account_id, platform_post_id=conversation.external_post_id)
        .first()
    )
    if target is not None:
        Conversation.objects.filter(pk=conversation.pk, post_target__isnull=True).update(
            post_target=target
        )
    return target
