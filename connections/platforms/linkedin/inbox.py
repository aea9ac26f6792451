"""LinkedIn comments on the organisation's posts: read by polling (a slow reconcile where the
organisation's notifications arrive by webhook, `events`) and answered as the organisation.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...services import call_with_refresh
from .. import Platform
from ..inbox_types import InboundItem, from_millis
from ..network import ReplyTarget
from . import endpoints
from .connector import ORG
from .text import escape

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import LinkedInConnector

PERSON = "urn:li:person:"
RECENT_POSTS = 10  # the newest posts whose comments are read on each poll
PAGE = 100
MAX_PAGES = 5


def commenter_name(actor: str, org: str) -> str:
    """What the inbox calls a commenter: neither the Comments API nor the notifications give
    other members' names (reading profiles needs a partner permission), so not the raw URN."""
    if actor == org:
        return ""  # the page itself: stored under the account's name
    if actor.startswith(PERSON):
        return "LinkedIn member"
    return "LinkedIn page" if actor.startswith(ORG) else ""


def activity_of(comment_urn: str) -> str:
    """The post a comment is on: urn:li:comment:(urn:li:activity:X,ID) -> urn:li:activity:X."""
    return comment_urn.removeprefix("urn:li:comment:(").rpartition(",")[0]


def send(client: LinkedInConnector, account: ConnectedAccount, target: ReplyTarget) -> str:
    """Answer a comment thread with a nested comment, posted to the top comment's own
    socialActions with it as parentComment; the new comment's URN."""
    parent = target.thread.thread_key
    body = {
        "actor": f"{ORG}{account.external_id}",
        "object": activity_of(parent),
        "parentComment": parent,
        "message": {"text": escape(target.text)},
    }

    def call() -> str:
        path = f"/socialActions/{endpoints.key(parent)}/comments"
        response = client.rest("POST", path, account.access_token, json=body)
        created = response.json() if response.content else {}
        urn = str(created.get("$URN") or "")
        if not urn:  # x-restli-id holds the comment's id inside the post
            urn = f"urn:li:comment:({body['object']},{response.headers.get('x-restli-id', '')})"
        return urn

    return call_with_refresh(account, call)


def _pages(client: LinkedInConnector, account: ConnectedAccount, path: str) -> Iterator[dict]:
    for page in range(MAX_PAGES):
        params = {"start": page * PAGE, "count": PAGE}
        body = call_with_refresh(
            account,
            lambda params=params: client.rest_json(
                "GET", path, account.access_token, params=params
            ),
        )
        elements = body.get("elements") or []
        yield from elements
        if len(elements) < PAGE:
            return


def recent_posts(client: LinkedInConnector, account: ConnectedAccount) -> list[str]:
    params = {
        "q": "author",
        "author": f"{ORG}{account.external_id}",
        "count": RECENT_POSTS,
        "sortBy": "CREATED",
    }
    body = call_with_refresh(
        account, lambda: client.rest_json("GET", "/posts", account.access_token, params=params)
    )
    return [str(post["id"]) for post in body.get("elements") or [] if post.get("id")]


def items(
    client: LinkedInConnector, account: ConnectedAccount, since: datetime | None
) -> Iterator[InboundItem]:
    for post in recent_posts(client, account):
        for comment in _pages(client, account, f"/socialActions/{endpoints.key(post)}/comments"):
            item = parse_comment(account.external_id, post, comment)
            if since is None or item.sent_at >= since:
                yield item
            summary = comment.get("commentsSummary") or {}
            if summary.get("aggregatedTotalComments"):
                path = f"/socialActions/{endpoints.key(item.external_id)}/comments"
                for reply in _pages(client, account, path):
                    answer = parse_comment(account.external_id, post, reply)
                    if since is None or answer.sent_at >= since:
                        yield answer


def parse_comment(org_id: str, post_urn: str, comment: dict[str, Any]) -> InboundItem:
    """One element of a socialActions comments list as an inbox item: a thread per top-level
    comment, its nested comments in it."""
    urn = str(comment.get("$URN") or comment.get("commentUrn") or "")
    parent = str(comment.get("parentComment") or "")
    actor = str(comment.get("actor") or "")
    created = comment.get("created") or {}
    org = f"{ORG}{org_id}"
    return InboundItem(
        platform=Platform.LINKEDIN,
        account_external_id=org_id,
        kind="comment",
        thread_key=parent or urn,
        external_id=urn,
        participant_id=actor,
        participant_name=commenter_name(actor, org),
        text=str((comment.get("message") or {}).get("text") or ""),
        sent_at=from_millis(created.get("time") or 0),
        external_post_id=post_urn,
        reply_to_external_id=parent,
        from_account=actor == org,
    )
