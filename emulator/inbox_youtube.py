"""YouTube's inbox side (platform-apis.md §6.5): comments on the channel's videos, which the
product finds only by polling commentThreads.list (and comments.list for a thread's replies),
and replies with comments.insert.

A top-level comment is an inbound Event; a viewer's reply is an Event whose id is
`{thread id}.{reply id}` (YouTube's reply ids); the channel's replies are the recorded replies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

from emulator import google, inbox
from emulator.google import api_error
from emulator.inbox import Event
from emulator.posts import iso
from emulator.server import Abort, Request, Response, Service, json_response
from emulator.state import STATE, Token
from emulator.youtube import READ_SCOPES, SCOPE

WRITE_SCOPES = {SCOPE + "youtube", SCOPE + "youtube.force-ssl"}
THREAD_PARTS = ("id", "snippet", "replies")
COMMENT_PARTS = ("id", "snippet")
THREAD_FILTERS = ("allThreadsRelatedToChannelId", "channelId", "id", "videoId")
TEXT_FORMATS = ("html", "plainText")
ORDERS = ("time", "relevance")
COMMENT_TEXT_LIMIT = 10_000
# A thread's `replies` holds "a limited number of replies" (developers.google.com/youtube/v3/
# docs/commentThreads); the number is not documented: 5, as commonly observed.
THREAD_REPLIES = 5
URL = re.compile(r"https?://[^\s<>\"]+")

service = Service("google", google.render_fault)


def _bad(status: int, reason: str, message: str) -> Abort:
    return Abort(api_error(status, message, "youtube.commentThread", reason))


def _parameter(reason: str, message: str) -> Abort:
    return Abort(api_error(400, message, "youtube.parameter", reason))


def _thread_event(thread_id: str) -> Event | None:
    """A top-level comment (a thread); replies' ids hold a dot."""
    event = inbox.find_comment("youtube", thread_id)
    return event if event and "." not in event.id else None


def inbound(req: Request, payload: dict, sender: dict, text: str) -> Event:
    """A top-level comment on one of the channel's videos, or with `parent_id` a viewer's
    reply in one of its threads. Raises ValueError."""
    found = STATE.find_channel(str(payload.get("account_id") or ""))
    if found is None:
        raise ValueError("account_id must be a YouTube channel id the emulator holds")
    channel = found[1]
    if payload.get("kind") != "comment":
        raise ValueError("YouTube has comments only, no messages")
    if payload.get("parent_id") is not None:
        thread = _thread_event(str(payload["parent_id"]))
        if thread is None or thread.account_id != channel.id:
            raise ValueError("parent_id must be a comment thread of that channel")
        reply_id = f"{thread.id}.emu{inbox.number('youtube_reply'):08d}"
        now = STATE.now()
        return Event(
            reply_id, "google", "youtube", "comment", channel.id, sender, text, now, thread.post_id
        )
    video = STATE.find_post("youtube", str(payload.get("post_id") or ""))
    if video is None or video.account_id != channel.id:
        raise ValueError("post_id must be a video of that channel")
    thread_id = f"UgzEmu{inbox.number('youtube_thread'):010d}AaABAg"
    return Event(
        thread_id, "google", "youtube", "comment", channel.id, sender, text, STATE.now(), video.id
    )


def _html(text: str) -> str:
    """textDisplay in html: escaped, links as <a>, line breaks as <br>."""
    out, position = [], 0
    for match in URL.finditer(text):
        url = match.group()
        out += [
            escape(text[position : match.start()]),
            f'<a href="{escape(url)}">{escape(url)}</a>',
        ]
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out).replace("\r\n", "<br>").replace("\n", "<br>")


class View:
    """Who reads (their channel id) and in which text format."""

    def __init__(self, token: Token, text_format: str = "html") -> None:
        user = STATE.user("google", token.user_id)
        self.channel = user.channel.id if user and user.channel else None
        self.text_format = text_format


def _comment(
    req: Request,
    view: View,
    comment: dict,
    channel_id: str,
    video_id: str,
    parent: str | None = None,
) -> dict:
    """comment: {"id", "author_id", "author_name", "text", "at"}."""
    text, author = comment["text"], comment["author_id"]
    snippet = {
        "channelId": channel_id,
        "videoId": video_id,
        # textDisplay is HTML unless textFormat=plainText (textFormat: "html ... This is the
        # default value", youtube.v3 discovery document).
        "textDisplay": text if view.text_format == "plainText" else _html(text),
        "authorDisplayName": comment["author_name"],
        "authorProfileImageUrl": req.avatar_url(f"youtube-{author}"),
        "authorChannelUrl": f"http://www.youtube.com/channel/{author}",
        "authorChannelId": {"value": author},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": iso(comment["at"]),
        "updatedAt": iso(comment["at"]),
    }
    # textOriginal "will only be returned if it is accessible to the viewer, which is only
    # guaranteed if the viewer is the comment's author" (developers.google.com/youtube/v3/
    # docs/comments): returned to the author only.
    if view.channel == author:
        snippet["textOriginal"] = text
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "id": comment["id"], "snippet": snippet}


def _replies(thread: Event) -> list[dict]:
    """Every reply of a thread, oldest first: viewers' (events) and the channel's (replies)."""
    viewers = [
        {
            "id": event.id,
            "author_id": event.sender["id"],
            "author_name": event.sender["name"],
            "text": event.text,
            "at": event.created_at,
        }
        for event in inbox.events().values()
        if event.network == "youtube" and event.id.startswith(thread.id + ".")
    ]
    ours = [
        {
            "id": r["id"],
            "author_id": r["account_id"],
            "author_name": r["author"],
            "text": r["text"],
            "at": r["sent_at"],
        }
        for r in inbox.replies()
        if r["network"] == "youtube" and r["in_reply_to"] == thread.id
    ]
    return sorted(viewers + ours, key=lambda reply: reply["at"])


def _top(event: Event) -> dict:
    sender = event.sender
    return {
        "id": event.id,
        "author_id": sender["id"],
        "author_name": sender["name"],
        "text": event.text,
        "at": event.created_at,
    }


def _thread(req: Request, view: View, event: Event, parts: list[str]) -> dict:
    video = event.post_id or ""
    answers = _replies(event)
    thread: dict = {"kind": "youtube#commentThread", "id": event.id}
    if "snippet" in parts:
        thread["snippet"] = {
            "channelId": event.account_id,
            "videoId": video,
            "topLevelComment": _comment(req, view, _top(event), event.account_id, video),
            "canReply": True,
            # "The total number of replies (not including the top level comment)."
            "totalReplyCount": len(answers),
            "isPublic": True,
        }
    if "replies" in parts and answers:
        thread["replies"] = {
            "comments": [
                _comment(req, view, reply, event.account_id, video, event.id)
                for reply in answers[:THREAD_REPLIES]
            ]
        }
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
    # maxResults: "Acceptable values are 1 to 100, inclusive. The default value is 20."
    if not 1 <= size <= 100:
        raise _bad(400, "invalidParameter", "maxResults must be between 1 and 100.")
    return size, start


def _reader(req: Request, parts_allowed: tuple[str, ...]) -> tuple[View, list[str]]:
    """The caller's view and parts of a list call, charged 1 unit (determine_quota_cost)."""
    token = google.authenticate(req)
    google.charge(token, google.LIST_COST)
    if not READ_SCOPES & set(token.scopes):
        message = "Request had insufficient authentication scopes."
        raise Abort(
            api_error(403, message, "global", "insufficientPermissions", "PERMISSION_DENIED")
        )
    parts = [p.strip() for p in (req.query.get("part") or "").split(",") if p.strip()]
    if not parts or any(p not in parts_allowed for p in parts):
        raise _bad(400, "unknownPart", f"part must be a subset of {','.join(parts_allowed)}.")
    # textFormat: html (default) or plainText (commentThreads.list, comments.list).
    text_format = req.query.get("textFormat") or "html"
    if text_format not in TEXT_FORMATS:
        raise _parameter("invalidParameter", "textFormat must be html or plainText.")
    return View(token, text_format), parts


def _paged(items: list, req: Request, kind: str, render: Callable[[Any], dict]) -> Response:
    size, start = _page_size(req)
    body: dict = {
        "kind": kind,
        "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
        "items": [render(item) for item in items[start : start + size]],
    }
    if start + size < len(items):
        body["nextPageToken"] = str(start + size)
    return json_response(body)


@service.route("GET", r"/youtube/v3/commentThreads", "youtube.comment_threads")
def comment_threads(req: Request) -> Response:
    view, parts = _reader(req, THREAD_PARTS)
    # "Filters (specify exactly one of the following parameters)" (commentThreads/list).
    given = [name for name in THREAD_FILTERS if req.query.get(name)]
    if len(given) != 1:
        message = f"Specify exactly one of: {', '.join(THREAD_FILTERS)}"
        reason = "missingRequiredParameter" if not given else "incompatibleParameters"
        raise _parameter(reason, message)
    order = req.query.get("order") or "time"
    if order not in ORDERS:
        raise _parameter("invalidParameter", "order must be time or relevance.")
    query = req.query

    def render(event: Event) -> dict:
        return _thread(req, view, event, parts)

    if ids := query.get("id"):
        # id: the listed threads (maxResults and pageToken do not apply to it).
        found = [_thread_event(thread_id) for thread_id in ids.split(",")]
        items = [render(event) for event in found if event]
        return json_response(
            {
                "kind": "youtube#commentThreadListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                "items": items,
            }
        )
    channel, video = query.get("allThreadsRelatedToChannelId"), query.get("videoId")
    # order=time: "Comment threads are ordered by time", i.e. when the thread was started
    # (its top-level comment), newest first; a new reply does not move a thread up.
    # relevance is not modelled: the same order.
    matching = sorted(
        (
            event
            for event in inbox.events().values()
            if event.network == "youtube"
            and "." not in event.id
            and not query.get("channelId")  # comments about the channel itself: none here
            and channel in (None, event.account_id)
            and video in (None, event.post_id)
        ),
        key=lambda event: event.created_at,
        reverse=True,
    )
    return _paged(matching, req, "youtube#commentThreadListResponse", render)


@service.route("GET", r"/youtube/v3/comments", "youtube.comments")
def comments(req: Request) -> Response:
    """comments.list: a thread's replies (parentId) or comments by id."""
    view, parts = _reader(req, COMMENT_PARTS)
    # Filters: exactly one of id, parentId (developers.google.com/youtube/v3/docs/comments/list).
    parent, ids = req.query.get("parentId"), req.query.get("id")
    if bool(parent) == bool(ids):
        reason = "missingRequiredParameter" if not parent else "incompatibleParameters"
        raise _parameter(reason, "Specify exactly one of: id, parentId")
    thread = _thread_event(parent) if parent else None
    if parent and thread is None:
        raise Abort(
            api_error(
                404, "The parent comment could not be found.", "youtube.comment", "commentNotFound"
            )
        )

    def render(pair: tuple[Event, dict]) -> dict:
        owner, comment = pair
        video = owner.post_id or ""
        is_reply = comment["id"] != owner.id
        item = _comment(req, view, comment, owner.account_id, video, owner.id if is_reply else None)
        return item if "snippet" in parts else {"kind": item["kind"], "id": item["id"]}

    if thread:
        # "currently YouTube features only one level of replies" (comments.list parentId).
        return _paged(
            [(thread, reply) for reply in _replies(thread)],
            req,
            "youtube#commentListResponse",
            render,
        )
    found = []
    for comment_id in (ids or "").split(","):
        owner = _thread_event(comment_id.split(".", 1)[0])
        if owner is None:
            continue
        everything = [_top(owner), *_replies(owner)]
        found += [(owner, c) for c in everything if c["id"] == comment_id]
    return json_response(
        {
            "kind": "youtube#commentListResponse",
            "pageInfo": {"totalResults": len(found), "resultsPerPage": len(found)},
            "items": [render(pair) for pair in found],
        }
    )


@service.route("POST", r"/youtube/v3/comments", "youtube.comments_insert")
def insert_comment(req: Request) -> Response:
    token = google.authenticate(req)
    # comments.insert costs 50 units (determine_quota_cost).
    google.charge(token, google.INSERT_COST)
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
    # Replies answer a top-level comment: "only one level of replies" (comments.list parentId).
    thread = _thread_event(str(parent_id))
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
    comment = {
        "id": comment_id,
        "author_id": user.channel.id,
        "author_name": user.channel.title,
        "text": text,
        "at": reply["sent_at"],
    }
    return json_response(
        _comment(req, View(token), comment, thread.account_id, thread.post_id or "", thread.id)
    )
