"""The inbox's calls to the platforms, through the connectors (timeouts and error classes
come from there): sending a reply as the account, looking up a Meta sender's public profile,
and listing YouTube comment threads."""

from __future__ import annotations

import json
from typing import Any

from connections.models import ConnectedAccount
from connections.platforms import Platform
from connections.platforms.registry import connector_for
from connections.services import call_with_refresh

from .models import Conversation, Message


def send(message: Message) -> str:
    """Send one reply; the platform's id for it. Raises a PlatformError."""
    account, conversation = message.account, message.conversation
    client: Any = connector_for(account)

    def call() -> str:
        token = account.access_token
        if account.platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
            return _send_meta(client, token, conversation, message)
        if account.platform == Platform.X:
            return _send_x(client, token, conversation, message)
        if account.platform == Platform.YOUTUBE:
            body = client.api(
                "POST",
                "/comments",
                token,
                params={"part": "snippet"},
                json={
                    "snippet": {"parentId": conversation.thread_key, "textOriginal": message.text}
                },
            )
            return str(body["id"])
        raise ValueError(f"{account.platform} has no inbox replies")

    return call_with_refresh(account, call)


def _send_meta(client: Any, token: str, conversation: Conversation, message: Message) -> str:
    if conversation.kind == Conversation.Kind.MESSAGE:
        form = {
            "recipient": json.dumps({"id": conversation.participant_id}),
            "message": json.dumps({"text": message.text}),
            "messaging_type": message.messaging_type,
        }
        if message.tag:
            form["tag"] = message.tag
        return str(client.graph_post("me/messages", token, **form)["message_id"])
    # Replies attach to the top-level comment (a reply to a reply lands there anyway).
    edge = "comments" if conversation.account.platform == Platform.FACEBOOK else "replies"
    return str(
        client.graph_post(f"{conversation.thread_key}/{edge}", token, message=message.text)["id"]
    )


def _send_x(client: Any, token: str, conversation: Conversation, message: Message) -> str:
    if conversation.kind == Conversation.Kind.MESSAGE:
        path = f"/2/dm_conversations/with/{conversation.participant_id}/messages"
        return str(
            client.api("POST", path, token, json={"text": message.text})["data"]["dm_event_id"]
        )
    answering = (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("external_id", flat=True)
        .first()
    ) or conversation.thread_key
    body = {"text": message.text, "reply": {"in_reply_to_tweet_id": answering}}
    return str(client.api("POST", "/2/tweets", token, json=body)["data"]["id"])


def meta_profile(account: ConnectedAccount, person_id: str) -> dict[str, str]:
    """A Messenger or Instagram sender's public name and picture (User Profile API)."""
    client: Any = connector_for(account)
    fields = (
        "name,profile_pic" if account.platform == Platform.FACEBOOK else "name,username,profile_pic"
    )
    body = call_with_refresh(
        account, lambda: client.graph_get(person_id, account.access_token, fields=fields)
    )
    return {
        "participant_name": str(body.get("name") or body.get("username") or ""),
        "participant_handle": str(body.get("username") or ""),
        "participant_avatar_url": str(body.get("profile_pic") or ""),
    }


def youtube_threads(account: ConnectedAccount, page_token: str = "") -> dict[str, Any]:
    client: Any = connector_for(account)
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
