"""Viewers commenting on the connected channel's videos in the emulator."""

from __future__ import annotations

from connections.models import ConnectedAccount

VIEWER = {"id": "UCviewer000000000000001", "name": "Vera Viewer"}


def video(emulator, channel: ConnectedAccount) -> str:
    """A video the channel published (outside Mixora), for viewers to comment on."""
    post = emulator.control(
        "POST", "posts", {"network": "youtube", "account_id": channel.external_id, "text": "Clip"}
    )
    return post["id"]


def comment(
    emulator,
    channel: ConnectedAccount,
    text: str,
    *,
    video_id: str | None = None,
    parent: str | None = None,
    viewer: dict = VIEWER,
) -> dict:
    """A viewer's new thread on `video_id`, or with `parent` their reply in that thread."""
    payload = {
        "platform": "google",
        "kind": "comment",
        "account_id": channel.external_id,
        "from": viewer,
        "text": text,
    }
    payload.update({"parent_id": parent} if parent else {"post_id": video_id})
    return emulator.control("POST", "inbound", payload)


def advance(emulator, seconds: int) -> None:
    emulator.control("POST", "clock", {"advance": seconds})
