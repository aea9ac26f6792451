"""Storing the items of many webhook deliveries at once: the rules of ingest.py, applied item
by item in order, with a fixed handful of queries for the whole batch instead of a dozen per
item. Runs in the caller's transaction. A clash with a concurrent writer (the same new thread
or the same event stored by another worker meanwhile) raises IntegrityError: the caller then
stores the deliveries one at a time with ingest.py, which settles each such case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from connections.models import ConnectedAccount
from connections.platforms.inbox_types import InboundItem
from publishing.models import PostTarget

from . import avatars
from .ingest import absorb, clamped, new_message, past_retention
from .models import Conversation, DeletedMessageMarker, Message
from .retention import message_digest
from .search import normalise, participant_key

ThreadKey = tuple[int, str, str]  # account id, kind, thread key: Conversation's unique key
# Conversation fields absorb() may change on a thread that already exists.
ABSORBED = [
    "last_message_at",
    "preview",
    "last_inbound_at",
    "status",
    "snoozed_until",
    "participant_name",
    "participant_handle",
    "participant_avatar_url",
    "search_name",
    "updated_at",
]


@dataclass
class _Batch:
    """What the batch stores: conversations by key (existing ones locked), messages in order."""

    existing: dict[int, Conversation] = field(default_factory=dict)
    created: dict[ThreadKey, Conversation] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)


def ingest_many(items: Iterable[InboundItem]) -> list[Message]:
    """Store every item for every workspace that connected its account, as ingest() would one
    after the other; the new messages, in order."""
    items = [
        clamped(item)
        for item in items
        if item.external_id and item.thread_key and item.account_external_id
    ]
    accounts = _accounts(items) if items else {}
    pairs = _new_only(
        [
            (account, item)
            for item in items
            for account in accounts.get((item.platform, item.account_external_id), [])
            if not past_retention(account, item)
        ]
    )
    if not pairs:
        return []
    batch = _Batch()
    threads = _threads(pairs, batch)
    for (account, item), conversation in zip(pairs, threads, strict=True):
        message = new_message(account, item, conversation)
        absorb(conversation, message, item)
        batch.messages.append(message)
    _save(batch)
    return batch.messages


def _accounts(items: Sequence[InboundItem]) -> dict[tuple[str, str], list[ConnectedAccount]]:
    by_key: dict[tuple[str, str], list[ConnectedAccount]] = {}
    wanted = {(item.platform, item.account_external_id) for item in items}
    query = Q()
    for platform, external_id in wanted:
        query |= Q(platform=platform, external_id=external_id)
    for account in ConnectedAccount.objects.filter(query).select_related("workspace"):
        by_key.setdefault((account.platform, account.external_id), []).append(account)
    return by_key


def _new_only(
    pairs: list[tuple[ConnectedAccount, InboundItem]],
) -> list[tuple[ConnectedAccount, InboundItem]]:
    """Without events already stored, deleted here before, or repeated within the batch."""
    if not pairs:
        return []
    account_ids = {account.pk for account, _ in pairs}
    external_ids = {item.external_id for _, item in pairs}
    seen = set(
        Message.objects.filter(account_id__in=account_ids, external_id__in=external_ids)
        .values_list("account_id", "external_id")
        .iterator()
    )
    digests = {item.external_id: message_digest(item.external_id) for _, item in pairs}
    deleted = set(
        DeletedMessageMarker.objects.filter(
            account_id__in=account_ids, digest__in=set(digests.values())
        ).values_list("account_id", "digest")
    )
    new = []
    for account, item in pairs:
        key = (account.pk, item.external_id)
        if key in seen or (account.pk, digests[item.external_id]) in deleted:
            continue
        seen.add(key)
        new.append((account, item))
    return new


def _threads(
    pairs: list[tuple[ConnectedAccount, InboundItem]], batch: _Batch
) -> list[Conversation]:
    """Each pair's conversation, as ingest._thread finds it: the thread of the message it
    answers (stored before or earlier in this batch), else the one of its key, made if new.
    Existing conversations are locked (in id order, so two batches never deadlock)."""
    answered = _answered(pairs)
    keys: list[int | ThreadKey] = []
    in_batch: dict[tuple[int, str, str], int | ThreadKey] = {}  # account, kind, external id
    for account, item in pairs:
        ref: int | ThreadKey | None = None
        if item.reply_to_external_id:
            target = (account.pk, item.kind, item.reply_to_external_id)
            ref = in_batch.get(target) or answered.get(target)
        if ref is None:
            ref = (account.pk, item.kind, item.thread_key)
        keys.append(ref)
        in_batch[(account.pk, item.kind, item.external_id)] = ref
    wanted = {ref for ref in keys if isinstance(ref, tuple)}
    found = _by_key(wanted)
    locked_ids = {ref for ref in keys if isinstance(ref, int)} | set(found.values())
    batch.existing = {
        c.pk: c
        for c in Conversation.objects.select_for_update().filter(pk__in=locked_ids).order_by("pk")
    }
    posts = _published_posts(pairs, wanted - found.keys())
    threads = []
    for (account, item), ref in zip(pairs, keys, strict=True):
        if isinstance(ref, tuple) and ref in found:
            ref = found[ref]
        if isinstance(ref, int):
            threads.append(batch.existing[ref])
            continue
        if ref not in batch.created:  # as get_or_create's defaults, from the first item
            batch.created[ref] = Conversation(
                account=account,
                workspace_id=account.workspace_id,
                kind=item.kind,
                thread_key=item.thread_key,
                participant_id=item.participant_id,
                last_message_at=item.sent_at,
                external_post_id=item.external_post_id,
                post_target=posts.get((account.pk, item.external_post_id)),
            )
        threads.append(batch.created[ref])
    return threads


def _answered(pairs: list[tuple[ConnectedAccount, InboundItem]]) -> dict[ThreadKey, int]:
    """The stored messages the items answer: (account, kind, external id) -> conversation."""
    replies = {(a.pk, i.reply_to_external_id) for a, i in pairs if i.reply_to_external_id}
    if not replies:
        return {}
    rows = Message.objects.filter(
        account_id__in={a for a, _ in replies}, external_id__in={e for _, e in replies}
    ).values_list("account_id", "conversation__kind", "external_id", "conversation_id")
    return {(a, kind, e): c for a, kind, e, c in rows if (a, e) in replies}


def _by_key(keys: set[ThreadKey]) -> dict[ThreadKey, int]:
    if not keys:
        return {}
    rows = Conversation.objects.filter(
        account_id__in={a for a, _, _ in keys}, thread_key__in={t for _, _, t in keys}
    ).values_list("account_id", "kind", "thread_key", "pk")
    return {(a, k, t): pk for a, k, t, pk in rows if (a, k, t) in keys}


def _published_posts(
    pairs: list[tuple[ConnectedAccount, InboundItem]], new_keys: set[ThreadKey]
) -> dict[tuple[int, str], PostTarget]:
    """Our published posts that new comment threads hang under (ingest._published_post)."""
    wanted = {
        (a.pk, i.external_post_id)
        for a, i in pairs
        if i.external_post_id and (a.pk, i.kind, i.thread_key) in new_keys
    }
    if not wanted:
        return {}
    targets = PostTarget.objects.filter(
        account_id__in={a for a, _ in wanted}, platform_post_id__in={p for _, p in wanted}
    ).order_by("pk")
    posts: dict[tuple[int, str], PostTarget] = {}
    for target in targets:
        posts.setdefault((target.account_id, target.platform_post_id), target)
    return posts


def _save(batch: _Batch) -> None:
    """Three statements: the new threads (already holding what their messages bring), the
    messages, and the existing threads' summaries. bulk_create and bulk_update skip save(),
    so the normalised search copies are written here as the models' save() writes them."""
    for conversation in [*batch.created.values(), *batch.existing.values()]:
        conversation.search_name = participant_key(
            conversation.participant_name, conversation.participant_handle
        )
    Conversation.objects.bulk_create(batch.created.values())
    for message in batch.messages:
        message.conversation = message.conversation  # its id, now the new threads have one
        message.search_text = normalise(message.text)
    Message.objects.bulk_create(batch.messages)
    touched = {m.conversation_id: m.conversation for m in batch.messages}
    changed = [c for pk, c in batch.existing.items() if pk in touched]
    if changed:
        Conversation.objects.bulk_update(changed, ABSORBED)
    avatars.schedule_many([c.pk for c in touched.values() if avatars.needs_fetch(c)])
