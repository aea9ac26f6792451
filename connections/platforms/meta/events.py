"""Meta webhook bodies (Messenger, Instagram messaging, Page feed and Instagram comments)
read into InboundItems. https://developers.facebook.com/docs/messenger-platform/webhooks"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..inbox_types import InboundItem, from_millis, from_seconds

OBJECT_PLATFORM = {"page": "facebook", "instagram": "instagram"}


def parse(body: dict[str, Any]) -> Iterator[InboundItem]:
    platform = OBJECT_PLATFORM.get(str(body.get("object")))
    if platform is None:
        return
    for entry in body.get("entry") or []:
        account_id = str(entry.get("id") or "")
        # `standby` carries the conversation while another app owns the thread (handover
        # protocol), e.g. echoes of replies typed in the Page inbox (messenger webhooks).
        for event in (entry.get("messaging") or []) + (entry.get("standby") or []):
            if item := _message(platform, account_id, event):
                yield item
        # Instagram's examples put field/value on the entry itself; the reference wraps them
        # in changes[] (research notes §2): read both.
        changes = entry.get("changes") or ([entry] if "field" in entry else [])
        for change in changes:
            if item := _comment(platform, account_id, change, entry.get("time")):
                yield item


def _message(platform: str, account_id: str, event: dict[str, Any]) -> InboundItem | None:
    message = event.get("message")
    if not isinstance(message, dict) or not message.get("mid"):
        return None  # delivery and read receipts, reactions, postbacks
    echo = bool(message.get("is_echo"))
    # An echo is the account's own message: the customer is the recipient.
    customer = (event.get("recipient") if echo else event.get("sender")) or {}
    attachments = tuple(
        (str(a.get("type") or "file"), str((a.get("payload") or {}).get("url") or ""))
        for a in message.get("attachments") or []
        if (a.get("payload") or {}).get("url")
    )
    return InboundItem(
        platform=platform,
        account_external_id=account_id,
        kind="message",
        thread_key=str(customer.get("id") or ""),
        external_id=str(message["mid"]),
        participant_id=str(customer.get("id") or ""),
        text=str(message.get("text") or ""),
        sent_at=from_millis(event.get("timestamp") or 0),
        from_account=echo,
        attachment_urls=attachments,
    )


def _comment(
    platform: str, account_id: str, change: dict[str, Any], entry_time: object
) -> InboundItem | None:
    value = change.get("value") or {}
    sender = value.get("from") or {}
    if change.get("field") == "feed":
        if value.get("item") != "comment" or value.get("verb") != "add":
            return None
        comment_id, post_id = str(value.get("comment_id") or ""), str(value.get("post_id") or "")
        parent = str(value.get("parent_id") or post_id)
        reply_to = parent if parent != post_id else ""
        return InboundItem(
            platform=platform,
            account_external_id=account_id,
            kind="comment",
            thread_key=reply_to or comment_id,
            external_id=comment_id,
            participant_id=str(sender.get("id") or ""),
            participant_name=str(sender.get("name") or ""),
            text=str(value.get("message") or ""),
            sent_at=from_seconds(value.get("created_time") or entry_time or 0),
            external_post_id=post_id,
            reply_to_external_id=reply_to,
            from_account=str(sender.get("id")) == account_id,
        )
    if change.get("field") == "comments":
        comment_id = str(value.get("id") or "")
        parent = str(value.get("parent_id") or "")
        return InboundItem(
            platform=platform,
            account_external_id=account_id,
            kind="comment",
            thread_key=parent or comment_id,
            external_id=comment_id,
            participant_id=str(sender.get("id") or ""),
            participant_name=str(sender.get("username") or ""),
            participant_handle=str(sender.get("username") or ""),
            text=str(value.get("text") or ""),
            sent_at=from_seconds(entry_time or 0),
            external_post_id=str((value.get("media") or {}).get("id") or ""),
            reply_to_external_id=parent,
            from_account=str(sender.get("id")) == account_id,
        )
    return None
