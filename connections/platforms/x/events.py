"""X Activity API deliveries (direct messages, replies and mentions) read into InboundItems.

https://docs.x.com/x-api/activity/event-payloads: every delivery is `{"data": {event_uuid,
filter, event_type, tag, payload, includes}}`. Posts are v2 Post objects (string ids,
`author_id`, the author in `includes.users`); a post over 280 characters carries its whole
text in `note_tweet.text` (docs.x.com/x-api/fundamentals/data-dictionary). Legacy DM events
carry Account Activity-style `direct_message_events` and a `users` map, each user under `.data`.
Other event types (and Account Activity bodies, which Mixora does not subscribe to) give
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..inbox_types import InboundItem, from_millis, parse_iso

# The inbox's event types: what Mixora subscribes to and reads; dm.* only with the DM scope
# (private events: docs.x.com/x-api/activity/introduction#event-privacy).
POST_EVENTS = ("post.mention.create", "post.reply.create")
DM_EVENTS = ("dm.received", "dm.sent")
EVENT_TYPES = POST_EVENTS + DM_EVENTS


def parse(body: dict[str, Any]) -> Iterator[InboundItem]:
    data = body.get("data")
    for event in data if isinstance(data, list) else [data]:
        if not isinstance(event, dict):
            continue
        account_id = str((event.get("filter") or {}).get("user_id") or "")
        payload = event.get("payload") or {}
        if not account_id or not isinstance(payload, dict):
            continue
        if event.get("event_type") in DM_EVENTS:
            yield from _messages(account_id, payload)
        elif event.get("event_type") in POST_EVENTS:
            yield from _post(account_id, payload, event.get("includes") or {})


def _user(users: dict[str, Any], user_id: str) -> dict[str, Any]:
    user = users.get(user_id) or {}
    return user.get("data") or user  # XAA nests each user under .data


def _messages(account_id: str, payload: dict[str, Any]) -> Iterator[InboundItem]:
    users = payload.get("users") or {}
    for event in payload.get("direct_message_events") or []:
        if event.get("type") != "message_create":
            continue
        create = event.get("message_create") or {}
        sender = str(create.get("sender_id") or "")
        ours = sender == account_id
        customer = str((create.get("target") or {}).get("recipient_id") or "") if ours else sender
        user = _user(users, customer)
        yield InboundItem(
            platform="x",
            account_external_id=account_id,
            kind="message",
            thread_key=customer,
            external_id=str(event.get("id") or ""),
            participant_id=customer,
            participant_name=str(user.get("name") or ""),
            participant_handle=str(user.get("username") or ""),
            participant_avatar_url=str(user.get("profile_image_url") or ""),
            text=str((create.get("message_data") or {}).get("text") or ""),
            sent_at=from_millis(event.get("created_timestamp") or 0),
            from_account=ours,
        )


def full_text(post: dict[str, Any]) -> str:
    """The whole text: `text` stops at 280 characters for long posts."""
    note = post.get("note_tweet") or {}
    return str(note.get("text") or post.get("text") or "")


def _replied_to(post: dict[str, Any]) -> str:
    for ref in post.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref.get("id") or "")
    return str(post.get("in_reply_to_tweet_id") or "")


def _post(account_id: str, post: dict[str, Any], includes: dict[str, Any]) -> Iterator[InboundItem]:
    author = str(post.get("author_id") or "")
    if not author or author == account_id:
        return  # the account's own posts and replies
    user = next((u for u in includes.get("users") or [] if str(u.get("id")) == author), {})
    post_id = str(post.get("id") or "")
    reply_to = _replied_to(post)
    yield InboundItem(
        platform="x",
        account_external_id=account_id,
        kind="comment",
        thread_key=post_id,
        external_id=post_id,
        participant_id=author,
        participant_name=str(user.get("name") or ""),
        participant_handle=str(user.get("username") or ""),
        participant_avatar_url=str(user.get("profile_image_url") or ""),
        text=full_text(post),
        sent_at=parse_iso(str(post.get("created_at") or "1970-01-01T00:00:00Z")),
        external_post_id=reply_to,
        reply_to_external_id=reply_to,
    )
