"""YouTube comments: read by polling comment threads (YouTube has no webhooks) and answered
with comments.insert (developers.google.com/youtube/v3/docs/commentThreads/list,
developers.google.com/youtube/v3/docs/comments/insert)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...services import call_with_refresh
from .. import Platform
from ..inbox_types import InboundItem, parse_iso
from ..network import ReplyTarget
from . import watch

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import GoogleConnector

MAX_PAGES = 5  # pages of new threads per poll
REPLY_PAGES = 10  # pages of one thread's replies
ID_BATCH = 50  # thread ids per commentThreads.list?id= call


def send(client: GoogleConnector, account: ConnectedAccount, target: ReplyTarget) -> str:
    def call() -> str:
        body = client.api(
            "POST",
            "/comments",
            account.access_token,
            params={"part": "snippet"},
            json={"snippet": {"parentId": target.thread.thread_key, "textOriginal": target.text}},
        )
        return str(body["id"])

    return call_with_refresh(account, call)


def _list(
    client: GoogleConnector, account: ConnectedAccount, path: str, params: dict[str, Any]
) -> dict[str, Any]:
    # Plain text: textOriginal is only returned to the comment's author, and textDisplay is
    # HTML unless asked otherwise (developers.google.com/youtube/v3/docs/comments).
    params = {**params, "textFormat": "plainText"}
    return call_with_refresh(
        account,
        lambda: client.api("GET", path, account.access_token, polling=True, params=params),
    )


def _new_threads(
    client: GoogleConnector, account: ConnectedAccount, since: datetime | None
) -> Iterator[dict]:
    """Threads started since `since`. order=time lists threads by when they were started
    (their top-level comment), newest first: a new reply does not move its thread up, so
    this walk finds new threads only."""
    params: dict[str, Any] = {
        "part": "id,snippet,replies",
        "allThreadsRelatedToChannelId": account.external_id,
        "maxResults": 100,
        "order": "time",
    }
    for _ in range(MAX_PAGES):
        body = _list(client, account, "/commentThreads", params)
        older = False
        for thread in body.get("items") or []:
            started = thread["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
            older = older or bool(since and parse_iso(started) < since)
            yield thread
        if older or not body.get("nextPageToken"):
            return
        params["pageToken"] = body["nextPageToken"]


def _threads_by_id(
    client: GoogleConnector, account: ConnectedAccount, ids: list[str]
) -> Iterator[dict]:
    for start in range(0, len(ids), ID_BATCH):
        params = {"part": "id,snippet,replies", "id": ",".join(ids[start : start + ID_BATCH])}
        yield from _list(client, account, "/commentThreads", params).get("items") or []


def _all_replies(client: GoogleConnector, account: ConnectedAccount, parent: str) -> list[dict]:
    """Every reply of a thread (comments.list?parentId=, paged)."""
    params: dict[str, Any] = {"part": "snippet", "parentId": parent, "maxResults": 100}
    found: list[dict] = []
    for _ in range(REPLY_PAGES):
        body = _list(client, account, "/comments", params)
        found.extend(body.get("items") or [])
        if not body.get("nextPageToken"):
            break
        params["pageToken"] = body["nextPageToken"]
    return found


def thread_items(
    client: GoogleConnector | None,
    account: ConnectedAccount,
    thread: dict,
    known_replies: int | None = None,
) -> list[InboundItem]:
    """A thread's comments as items. The listing holds only some replies ("a limited number":
    developers.google.com/youtube/v3/docs/commentThreads); when it holds fewer than
    totalReplyCount and the count changed since we last saw it, comments.list has them all."""
    snippet = thread["snippet"]
    top = snippet["topLevelComment"]
    replies = (thread.get("replies") or {}).get("comments") or []
    total = int(snippet.get("totalReplyCount") or 0)
    if client and len(replies) < total and known_replies != total:
        replies = _all_replies(client, account, top["id"])
    video_id = snippet.get("videoId", "")
    return [comment_item(account, thread["id"], c, video_id) for c in [top, *replies]]


def items(
    client: GoogleConnector, account: ConnectedAccount, since: datetime | None
) -> Iterator[InboundItem]:
    """New threads, and new replies in the threads we watch (recently active ones)."""
    watched = watch.load(account)
    seen = {thread["id"]: thread for thread in _new_threads(client, account, since)}
    older = [thread_id for thread_id in watched if thread_id not in seen]
    seen.update((thread["id"], thread) for thread in _threads_by_id(client, account, older))
    activity: dict[str, tuple[int, datetime]] = {}
    for thread_id, thread in seen.items():
        known = watched.get(thread_id)
        found = thread_items(client, account, thread, known[0] if known else None)
        yield from found
        newest = max(item.sent_at for item in found)
        if known:
            newest = max(newest, known[1])
        activity[thread_id] = (int(thread["snippet"].get("totalReplyCount") or 0), newest)
    watch.save(account, activity)


def comment_item(
    account: ConnectedAccount, thread_id: str, comment: dict, video_id: str
) -> InboundItem:
    """One comment resource as an item. With textFormat=plainText, textDisplay is the plain
    text whenever textOriginal (the author's own view) is absent."""
    snippet = comment["snippet"]
    author = (snippet.get("authorChannelId") or {}).get("value", "")
    return InboundItem(
        platform=Platform.YOUTUBE,
        account_external_id=account.external_id,
        kind="comment",
        thread_key=thread_id,
        external_id=comment["id"],
        participant_id=author,
        participant_name=snippet.get("authorDisplayName", ""),
        participant_avatar_url=snippet.get("authorProfileImageUrl", ""),
        text=snippet.get("textOriginal") or snippet.get("textDisplay", ""),
        sent_at=parse_iso(snippet["publishedAt"]),
        external_post_id=video_id,
        from_account=author == account.external_id,
    )
