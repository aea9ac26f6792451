"""X Account Activity bodies (direct messages, replies and mentions) read into InboundItems.
https://docs.x.com/x-api/account-activity/introduction"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..inbox_types import InboundItem, from_millis


def parse(body: dict[str, Any]) -> Iterator[InboundItem]:
    account_id = str(body.get("for_user_id") or "")
    users = body.get("users") or {}
    for event in body.get("direct_message_events") or []:
        if event.get("type") != "message_create":
            continue
        create = event.get("message_create") or {}
        sender = str(create.get("sender_id") or "")
        ours = sender == account_id
        customer = str((create.get("target") or {}).get("recipient_id") or "") if ours else sender
        user = users.get(customer) or {}
        yield InboundItem(
            platform="x",
            account_external_id=account_id,
            kind="message",
            thread_key=customer,
            external_id=str(event.get("id") or ""),
            participant_id=customer,
            participant_name=str(user.get("name") or ""),
            participant_handle=str(user.get("screen_name") or ""),
            participant_avatar_url=str(user.get("profile_image_url_https") or ""),
            text=str((create.get("message_data") or {}).get("text") or ""),
            sent_at=from_millis(event.get("created_timestamp") or 0),
            from_account=ours,
        )
    for tweet in body.get("tweet_create_events") or []:
        user = tweet.get("user") or {}
        if str(user.get("id_str") or user.get("id") or "") == account_id:
            continue  # the account's own posts and replies
        tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
        reply_to = str(tweet.get("in_reply_to_status_id_str") or "")
        yield InboundItem(
            platform="x",
            account_external_id=account_id,
            kind="comment",
            thread_key=tweet_id,
            external_id=tweet_id,
            participant_id=str(user.get("id_str") or user.get("id") or ""),
            participant_name=str(user.get("name") or ""),
            participant_handle=str(user.get("screen_name") or ""),
            participant_avatar_url=str(user.get("profile_image_url_https") or ""),
            text=str(tweet.get("text") or ""),
            sent_at=from_millis(tweet.get("timestamp_ms") or 0),
            external_post_id=reply_to,
            reply_to_external_id=reply_to,
        )
