"""X: creating and deleting posts and reading a user's timeline (platform-apis.md §4.3).

Text is counted the way twitter-text v3 does (weighted, URLs as 23), and a post repeating the
text of one of the user's posts from the last 24 hours is refused as duplicate content.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from emulator import x, x_media
from emulator.posts import Post, parse_iso
from emulator.server import Abort, Request, Response, json_response
from emulator.state import STATE, Token, User
from emulator.x import API, bad_request, invalid_parameter, problem, problem_body
from emulator.x_metrics import public_metrics

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
DUPLICATE_WINDOW = 86400
REPLY_NOT_SUMMONED = (
    "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
    "engaged by the author of the post you are replying to."
)
TWEET_FIELDS = (
    "attachments",
    "author_id",
    "conversation_id",
    "created_at",
    "edit_history_tweet_ids",
    "id",
    "in_reply_to_user_id",
    "lang",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "text",
)
TIMELINE_PARAMETERS = (
    "end_time",
    "exclude",
    "expansions",
    "max_results",
    "media.fields",
    "pagination_token",
    "place.fields",
    "poll.fields",
    "since_id",
    "start_time",
    "tweet.fields",
    "until_id",
    "user.fields",
)
# twitter-text v3: code points in these ranges weigh 1, everything else 2.
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# Code points that extend an emoji: variation selectors, skin tones, the keycap, tag characters.
_EMOJI_EXTENDERS = ((0xFE0E, 0xFE0F), (0x1F3FB, 0x1F3FF), (0x20E3, 0x20E3), (0xE0020, 0xE007F))
_EMOJI = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x2190, 0x21FF))
_REGIONAL = ((0x1F1E6, 0x1F1FF),)  # flag halves
_ZWJ = 0x200D
_TLDS = "com|net|org|io|co|dev|app|ai|me|info|biz|tv|ly|gg|xyz|us|uk|de|fr|es|it|nl|ca|au|jp"
_URL = re.compile(
    r"https?://[^\s]+?(?=[.,;:!?)\]'\"]*(?:\s|$))"
    rf"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s]*?(?=[.,;:!?)\]'\"]*(?:\s|$)))?",
    re.IGNORECASE,
)

service = x.XService()


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _weigh(text: str) -> int:
    codes = [ord(char) for char in text]
    total, i = 0, 0
    while i < len(codes):
        code, end = codes[i], i + 1
        extended = end < len(codes) and _within(codes[end], _EMOJI_EXTENDERS)
        regional = _within(code, _REGIONAL)
        if _within(code, _EMOJI) or regional or extended:
            if regional and end < len(codes) and _within(codes[end], _REGIONAL):
                end += 1  # a flag is a pair of regional indicators
            while end < len(codes):  # modifiers and zero-width-joined emoji belong to it
                if _within(codes[end], _EMOJI_EXTENDERS):
                    end += 1
                elif codes[end] == _ZWJ and end + 1 < len(codes):
                    end += 2
                else:
                    break
            total += 2
        else:
            total += 1 if _within(code, _LIGHT) else 2
        i = end
    return total


def weighted_length(text: str) -> int:
    """The post length X checks against 280: NFC text, URLs 23 each, CJK and emoji 2."""
    text = unicodedata.normalize("NFC", text)
    length, position = 0, 0
    for match in _URL.finditer(text):
        length += _weigh(text[position : match.start()]) + URL_LENGTH
        position = match.end()
    return length + _weigh(text[position:])


def _x_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _media(token: Token, body: dict) -> list[x_media.Media]:
    wanted = body.get("media")
    if wanted is None:
        return []
    ids = wanted.get("media_ids") if isinstance(wanted, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise bad_request("media.media_ids must be a non-empty list of media id strings.")
    found = [x_media.attachable(media_id, token.user_id) for media_id in ids]
    kinds = {item.kind for item in found if item}
    too_many = len(ids) > (4 if kinds == {"image"} else 1)
    if None in found or too_many or len(kinds) > 1:
        raise bad_request("Your media IDs are invalid.")
    return found


def _reply_to(body: dict) -> Post | None:
    reply = body.get("reply")
    if reply is None:
        return None
    target_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    if not isinstance(target_id, str):
        raise bad_request("reply.in_reply_to_tweet_id must be a post id string.")
    target = STATE.find_post("x", target_id)
    if target is None:
        detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
        raise Abort(problem(403, detail))
    return target


def _summoned(target: Post, replier: User) -> bool:
    """Whether a self-serve app may reply: since 2026-02-23 only when the post's author
    @mentioned the replier or quoted one of its posts; Enterprise is not affected
    (docs.x.com/changelog 2026-02-23, x-api/posts/manage-tweets/integrate)."""
    if STATE.knob("x", "api_plan") in ("enterprise", "partner") or target.account_id == replier.id:
        return True
    if re.search(rf"@{re.escape(replier.handle)}\b", target.text, re.IGNORECASE):
        return True
    quoted = STATE.find_post("x", str(target.details.get("quote_tweet_id") or ""))
    return quoted is not None and quoted.account_id == replier.id


@service.route("POST", API + "/tweets", "x.tweets")
def create_tweet(req: Request) -> Response:
    token = x.authenticate(req)
    x.require_scopes(token, "tweet.read", "tweet.write", "users.read")
    body = req.json
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    text = body.get("text", "")
    if not isinstance(text, str):
        raise bad_request("text must be a string.")
    items = _media(token, body)
    if not text and not items:
        raise bad_request("Either text or media.media_ids is required.")
    if (length := weighted_length(text)) > MAX_WEIGHTED_LENGTH:
        message = f"text is {length} weighted characters long; the limit is {MAX_WEIGHTED_LENGTH}."
        raise Abort(invalid_parameter("text", [text], message))
    target = _reply_to(body)
    user = STATE.user("x", token.user_id)
    if target and not _summoned(target, user):
        # The 403 clients receive (github.com/gptme/gptme-contrib/pull/811; contract fixture).
        raise Abort(problem(403, REPLY_NOT_SUMMONED))
    since = STATE.now() - DUPLICATE_WINDOW
    recent = [p for p in STATE.posts_of("x", token.user_id) if p.created_at > since]
    if text and any(post.text == text for post in recent):
        detail = "You are not allowed to create a Tweet with duplicate content."
        raise Abort(problem(403, detail))
    post = add_post(
        user,
        text,
        items,
        target,
        quote_tweet_id=body.get("quote_tweet_id"),
        reply_settings=body.get("reply_settings", "everyone"),
    )
    data = {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}
    return json_response({"data": data}, 201)


def add_post(
    user: User,
    text: str,
    items: Sequence[x_media.Media] = (),
    target: Post | None = None,
    *,
    quote_tweet_id: str | None = None,
    reply_settings: str = "everyone",
) -> Post:
    """A post of the user (answering `target`, if any) with the id and permalink X gives it.
    `/_control/posts` makes earlier posts with it too."""
    post_id = STATE.next_id("x_post")
    return STATE.add_post(
        Post(
            platform="x",
            network="x",
            account_id=user.id,
            id=post_id,
            kind="reply" if target else "post",
            text=text,
            created_at=STATE.now(),
            permalink=f"https://x.com/{user.handle}/status/{post_id}",
            media=[item.blob for item in items],
            details={
                "media_keys": [item.media_key for item in items],
                "in_reply_to_tweet_id": target.id if target else None,
                "in_reply_to_user_id": target.account_id if target else None,
                "conversation_id": target.details["conversation_id"] if target else post_id,
                "quote_tweet_id": quote_tweet_id,
                "reply_settings": reply_settings,
            },
        )
    )


@service.route("DELETE", API + r"/tweets/(?P<id>\d+)", "x.delete_tweet")
def delete_tweet(req: Request) -> Response:
    token = x.authenticate(req)
    x.require_scopes(token, "tweet.read", "tweet.write", "users.read")
    post = STATE.find_post("x", req.params["id"])
    if post is None:
        raise Abort(problem(404, f"Could not find tweet with id: [{req.params['id']}]."))
    if post.account_id != token.user_id:
        raise Abort(problem(403, "You are not allowed to delete a Tweet that is not yours."))
    STATE.posts.remove(post)
    return json_response({"data": {"deleted": True}})


def _tweet_json(post: Post, fields: list[str]) -> dict:
    details = post.details
    full = {
        "id": post.id,
        "text": post.text,
        "edit_history_tweet_ids": [post.id],
        "author_id": post.account_id,
        "conversation_id": details["conversation_id"],
        "created_at": _x_time(post.created_at),
        "in_reply_to_user_id": details["in_reply_to_user_id"],
        "lang": "en",
        "public_metrics": public_metrics(post),
        "reply_settings": details["reply_settings"],
        "attachments": {"media_keys": details["media_keys"]} if details["media_keys"] else None,
        "referenced_tweets": (
            [{"type": "replied_to", "id": details["in_reply_to_tweet_id"]}]
            if details["in_reply_to_tweet_id"]
            else None
        ),
    }
    wanted = ["id", "text", "edit_history_tweet_ids", *fields]
    return {name: full[name] for name in wanted if full.get(name) is not None}


def _timeline_filters(req: Request) -> tuple[int, list]:
    """max_results and the filters a post must pass, from the query; 400 when malformed."""
    if unknown := [name for name in req.query if name not in TIMELINE_PARAMETERS]:
        message = (
            f"The query parameter [{unknown[0]}] is not one of [{','.join(TIMELINE_PARAMETERS)}]"
        )
        raise Abort(invalid_parameter(unknown[0], [req.query[unknown[0]]], message))
    query = req.query
    try:
        max_results = int(query.get("max_results") or 10)
        start = parse_iso(query["start_time"]) if query.get("start_time") else None
        end = parse_iso(query["end_time"]) if query.get("end_time") else None
    except ValueError:
        raise bad_request("max_results, start_time or end_time is malformed.") from None
    if not 5 <= max_results <= 100:
        message = (
            f"The `max_results` query parameter value [{max_results}] is not between 5 and 100"
        )
        raise Abort(invalid_parameter("max_results", [str(max_results)], message))
    since_id, until_id = query.get("since_id"), query.get("until_id")
    no_replies = "replies" in (query.get("exclude") or "").split(",")
    tests = [
        lambda p: start is None or p.created_at >= start,
        lambda p: end is None or p.created_at < end,
        lambda p: since_id is None or int(p.id) > int(since_id),
        lambda p: until_id is None or int(p.id) < int(until_id),
        lambda p: not (no_replies and p.kind == "reply"),
    ]
    return max_results, tests


def _token(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode().rstrip("=")


@service.route("GET", API + r"/users/(?P<id>\d+)/tweets", "x.user_tweets")
def user_tweets(req: Request) -> Response:
    """A user's posts, newest first, `max_results` a page with `meta.next_token`."""
    x.authenticate(req)
    user_id = req.params["id"]
    fields = x.requested_fields(req, "tweet.fields", TWEET_FIELDS)
    max_results, tests = _timeline_filters(req)
    if STATE.user("x", user_id) is None:
        error = {
            "value": user_id,
            "detail": f"Could not find user with id: [{user_id}].",
            "resource_type": "user",
            "parameter": "id",
            "resource_id": user_id,
            **problem_body(404),
        }
        return json_response({"errors": [error]})
    posts = [p for p in STATE.posts_of("x", user_id) if all(test(p) for test in tests)]
    if cursor := req.query.get("pagination_token"):
        try:
            after = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            posts = posts[[p.id for p in posts].index(after) + 1 :]
        except (ValueError, binascii.Error):
            raise bad_request("pagination_token is invalid.") from None
    page = posts[:max_results]
    meta: dict = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
    if len(posts) > max_results:
        meta["next_token"] = _token(page[-1].id)
    body: dict = {"data": [_tweet_json(post, fields) for post in page]} if page else {}
    return json_response({**body, "meta": meta})
