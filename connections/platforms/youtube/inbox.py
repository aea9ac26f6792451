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

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import GoogleConnector

MAX_PAGES = 5


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


def threads(client: GoogleConnector, account: ConnectedAccount, page_token: str) -> dict[str, Any]:
    params = {
        "part": "id,snippet,replies",
        "allThreadsRelatedToChannelId": account.external_id,
        "maxResults": 100,
        "order": "time",
    }
    if page_token:
        params["pageToken"] = page_token
    return call_with_refresh(
        account, lambda: client.api("GET", "/commentThreads", account.access_token, params=params)
    )


def items(
    client: GoogleConnector, account: ConnectedAccount, since: datetime | None
) -> Iterator[InboundItem]:
    page_token = ""
    for _ in range(MAX_PAGES):
        body = threads(client, account, page_token)
        older = False
        for thread in body.get("items") or []:
            top = thread["snippet"]["topLevelComment"]
            if since and parse_iso(top["snippet"]["publishedAt"]) < since:
                older = True
            video_id = thread["snippet"].get("videoId", "")
            yield _item(account, thread, top, video_id)
            for reply in (thread.get("replies") or {}).get("comments", []):
                yield _item(account, thread, reply, video_id)
        page_token = body.get("nextPageToken") or ""
        if older or not page_token:
            return


def _item(account: ConnectedAccount, thread: dict, comment: dict, video_id: str) -> InboundItem:
    snippet = comment["snippet"]
    author = (snippet.get("authorChannelId") or {}).get("value", "")
    return InboundItem(
        platform=Platform.YOUTUBE,
        account_external_id=account.external_id,
        kind="comment",
        thread_key=thread["id"],
        external_id=comment["id"],
        participant_id=author,
        participant_name=snippet.get("authorDisplayName", ""),
        participant_avatar_url=snippet.get("authorProfileImageUrl", ""),
        text=snippet.get("textOriginal") or snippet.get("textDisplay", ""),
        sent_at=parse_iso(snippet["publishedAt"]),
        external_post_id=video_id,
        from_account=author == account.external_id,
    )
