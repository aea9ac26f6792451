"""YouTube's inbox side (platform-apis.md §6.5): comments on the channel's videos, which the
product finds only by polling commentThreads.list, and replies with comments.insert."""

from __future__ import annotations

from emulator import google, inbox
from emulator.google import api_error
from emulator.inbox import Event
from emulator.posts import iso
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE
from emulator.youtube import READ_SCOPES, SCOPE

WRITE_SCOPES = {SCOPE + "youtube", SCOPE + "youtube.force-ssl"}
THREAD_PARTS = ("id", "snippet", "replies")
COMMENT_TEXT_LIMIT = 10_000

service = Service("google", google.render_fault)


def _bad(status: int, reason: str, message: str) -> Abort:
    return Abort(api_error(status, message, "youtube.commentThread", reason))


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A top-level comment on one of the channel's videos. Raises ValueError."""
    found = STATE.find_channel(str(payload.get("account_id") or ""))
    if found is None:
        raise ValueError("account_id must be a YouTube channel id the emulator holds")
    channel = found[1]
    if payload.get("kind") != "comment":
        raise ValueError("YouTube has comments only, no messages")
    video = STATE.find_post("youtube", str(payload.get("post_id") or ""))
    if video is None or video.account_id != channel.id:
        raise ValueError("post_id must be a video of that channel")
    thread_id = f"UgzEmu{inbox.number('youtube_thread'):010d}AaABAg"
    return Event(
        thread_id, "google", "youtube", "comment", channel.id, sender, text, STATE.now(), video.id
    )


def _comment(
    req: Request,
    comment_id: str,
    video_id: str,
    author: dict,
    text: str,
    at: float,
    parent: str | None = None,
) -> dict:
    snippet = {
        "channelId": author["channel"],
        "videoId": video_id,
        "textDisplay": text,
        "textOriginal": text,
        "authorDisplayName": author["name"],
        "authorProfileImageUrl": req.avatar_url(f"youtube-{author['id']}"),
        "authorChannelUrl": f"http://www.youtube.com/channel/{author['id']}",
        "authorChannelId": {"value": author["id"]},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": iso(at),
        "updatedAt": iso(at),
    }
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "id": comment_id, "snippet": snippet}


def _thread(req: Request, event: Event, parts: list[str]) -> dict:
    author = {**event.sender, "channel": event.account_id}
    top = _comment(req, event.id, event.post_id or "", author, event.text, event.created_at)
    answers = [
        _comment(
            req,
            r["id"],
            event.post_id or "",
            {"id": r["account_id"], "name": r["author"], "channel": event.account_id},
            r["text"],
            r["sent_at"],
            event.id,
        )
        for r in inbox.replies()
        if r["network"] == "youtube" and r["in_reply_to"] == event.id
    ]
    thread: dict = {"kind": "youtube#commentThread", "id": event.id}
    if "snippet" in parts:
        thread["snippet"] = {
            "channelId": event.account_id,
            "videoId": event.post_id,
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(answers),
            "isPublic": True,
        }
    if "replies" in parts and answers:
        thread["replies"] = {"comments": answers}
    return thread


def _page_size(req: Request) -> tuple[int, int]:
    """(maxResults, offset from pageToken)."""
    try:
        size = int(req.query.get("maxResults") or 20)
        start = int(req.query.get("pageToken") or 0)
    except ValueError:
        raise _bad(
            400, "invalidPageToken", "The request specifies an invalid page token."
        ) from None
    if not 1 <= size <= 100:
        raise _bad(400, "invalidParameter", "maxResults must be between 1 and 100.")
    return size, start


@service.route("GET", r"/youtube/v3/commentThreads", "youtube.comment_threads")
def comment_threads(req: Request) -> Response:
    token = google.authenticate(req)
    if not READ_SCOPES & set(token.scopes):
        message = "Request had insufficient authentication scopes."
        raise Abort(
            api_error(403, message, "global", "insufficientPermissions", "PERMISSION_DENIED")
        )
    parts = [p.strip() for p in (req.query.get("part") or "").split(",") if p.strip()]
    if not parts or any(p not in THREAD_PARTS for p in parts):
        raise _bad(400, "unknownPart", "part must be a subset of id,snippet,replies.")
    channel, video = req.query.get("allThreadsRelatedToChannelId"), req.query.get("videoId")
    if not channel and not video:
        message = "No filter selected. Expected one of: allThreadsRelatedToChannelId, videoId, id"
        raise _bad(400, "missingRequiredParameter", message)
    size, start = _page_size(req)
    matching = [
        event
        for event in reversed(inbox.events().values())
        if event.network == "youtube"
        and channel in (None, event.account_id)
        and video in (None, event.post_id)
    ]
    chunk = matching[start : start + size]
    body: dict = {
        "kind": "youtube#commentThreadListResponse",
        "pageInfo": {"totalResults": len(matching), "resultsPerPage": size},
        "items": [_thread(req, event, parts) for event in chunk],
    }
    if start + size < len(matching):
        body["nextPageToken"] = str(start + size)
    return json_response(body)


@service.route("POST", r"/youtube/v3/comments", "youtube.comments_insert")
def insert_comment(req: Request) -> Response:
    token = google.authenticate(req)
    if not WRITE_SCOPES & set(token.scopes):
        message = "Request had insufficient authentication scopes."
        raise Abort(
            api_error(403, message, "global", "insufficientPermissions", "PERMISSION_DENIED")
        )
    if req.query.get("part") != "snippet":
        raise _bad(400, "unknownPart", "part must be snippet.")
    user = STATE.user("google", token.user_id)
    if user is None or user.channel is None:
        raise _bad(
            403,
            "ineligibleAccount",
            "The YouTube account used to authorize the API request has no channel.",
        )
    snippet = req.json.get("snippet") if isinstance(req.json, dict) else None
    snippet = snippet if isinstance(snippet, dict) else {}
    parent_id, text = snippet.get("parentId"), snippet.get("textOriginal")
    if not parent_id:
        raise _bad(400, "parentIdMissing", "No parent ID was specified for the comment.")
    if not isinstance(text, str) or not text:
        raise _bad(
            400, "commentTextRequired", "The comment resource must contain a snippet.textOriginal."
        )
    if len(text) > COMMENT_TEXT_LIMIT:
        raise _bad(400, "commentTextTooLong", "The comment text is too long.")
    thread = inbox.find_comment("youtube", str(parent_id))
    if thread is None:
        raise _bad(404, "parentCommentNotFound", "The parent comment could not be found.")
    comment_id = f"{thread.id}.emu{inbox.number('youtube_reply'):08d}"
    reply = inbox.record_reply(
        "google",
        "youtube",
        "comment_reply",
        user.channel.id,
        id=comment_id,
        text=text,
        recipient=thread.sender["id"],
        in_reply_to=thread.id,
        author=user.channel.title,
    )
    author = {"id": user.channel.id, "name": user.channel.title, "channel": thread.account_id}
    return json_response(
        _comment(req, comment_id, thread.post_id or "", author, text, reply["sent_at"], thread.id)
    )
