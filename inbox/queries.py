"""Reading the inbox: the filtered, searched conversation list with per-person unread state,
in a fixed number of queries whatever the page holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User, Workspace
from publishing.models import PostTarget

from .models import Attachment, Conversation, Label, Message, ReadMark
from .search import normalise

PAGE_SIZE = 50


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


def matching(q: str) -> Q | RawSQL:
    """Conversations with every word of `q` in their messages or their participant's name or
    handle, whatever the accents and case. PostgreSQL: the conversation's search document
    (migration 0007, kept by triggers), GIN-indexed with the workspace; the local SQLite mode
    compares substrings."""
    q = normalise(q)
    if connection.vendor == "postgresql":
        return RawSQL(
            "inbox_conversation.search_document @@ websearch_to_tsquery('simple', %s)",
            (q,),
            output_field=BooleanField(),
        )
    texts = Message.objects.filter(conversation=OuterRef("pk"), search_text__contains=q)
    return Q(search_name__contains=q) | Exists(texts)


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
        qs = qs.filter(matching(filters.q))
    return (
        qs.annotate(unread=unread_for(user))
        .select_related("account", "assignee")
        .order_by("-last_message_at", "-id")
    )


def labels_of(conversations: list[Conversation]) -> dict[int, list[Label]]:
    """Each conversation's labels by name, in one query (prefetch_related would clone a
    queryset per conversation)."""
    found: dict[int, list[Label]] = {c.pk: [] for c in conversations}
    links = Conversation.labels.through.objects.filter(conversation_id__in=found)
    for link in links.select_related("label").order_by("label__name", "label_id"):
        found[link.conversation_id].append(link.label)
    return found


# A long thread shows its newest messages; earlier ones a page at a time on request, and the
# live poll sends only what is newer, so a page costs the same whatever the thread's length.
THREAD_WINDOW = 50


def with_parts(messages: QuerySet[Message]) -> QuerySet[Message]:
    """What a message shows: its author, and its attachments as `shown_attachments` (a list set
    on each message: prefetching into the related manager clones a queryset per message)."""
    shown = Prefetch("attachments", Attachment.objects.order_by("pk"), to_attr="shown_attachments")
    return messages.select_related("author").prefetch_related(shown)


def _window(messages: QuerySet[Message], shown_before: Q | None) -> tuple[list[Message], int]:
    """The newest THREAD_WINDOW of `messages` (before a message, when given) in time order, and
    how many earlier ones were left out."""
    if shown_before is not None:
        messages = messages.filter(shown_before)
    newest = list(with_parts(messages).order_by("-sent_at", "-id")[: THREAD_WINDOW + 1])
    hidden = 0
    if len(newest) > THREAD_WINDOW:
        newest = newest[:THREAD_WINDOW]
        hidden = messages.count() - THREAD_WINDOW
    return newest[::-1], hidden


def thread(conversation: Conversation, *, everything: bool = False) -> tuple[list[Message], int]:
    """The thread in time order (the newest THREAD_WINDOW unless `everything`), and how many
    earlier messages were left out."""
    if everything:
        return list(with_parts(conversation.messages.order_by("sent_at", "id"))), 0
    return _window(conversation.messages.all(), None)


def earlier(conversation: Conversation, before: int) -> tuple[list[Message], int] | None:
    """The page of messages just before message `before` (keyset on sent_at, id), and how many
    are earlier still; None when that message is not in this thread any more."""
    first = conversation.messages.filter(pk=before).values("sent_at").first()
    if first is None:
        return None
    at = first["sent_at"]
    return _window(conversation.messages.all(), Q(sent_at__lt=at) | Q(sent_at=at, id__lt=before))


def newer(conversation: Conversation, after: int) -> list[Message]:
    """Messages stored after message `after` (ids grow), in time order: at most one window
    more than a poll would add (the caller then renders the window again)."""
    return list(
        with_parts(conversation.messages.filter(pk__gt=after)).order_by("sent_at", "id")[
            : THREAD_WINDOW + 1
        ]
    )


def in_flight(message: Message) -> bool:
    """A message whose look can still change without a new message: a reply being sent, or
    attachments still being copied."""
    return message.status == Message.Status.SENDING or bool(message.pending_attachments)


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
