"""The control API (`/_control/…`) tests and developers drive the emulator with, the avatar
pictures the emulated profiles point at and the images inbound message attachments point at."""

from __future__ import annotations

import colorsys
import hashlib
import re
import struct
import zlib
from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator import (
    engagement,
    facebook,
    instagram,
    linkedin,
    linkedin_posts,
    server,
    x_publish,
    youtube,
)
from emulator.posts import BEHAVIOUR, Post, parse_iso
from emulator.server import Handler, Request, Response, Service, json_response
from emulator.state import FAULT_KINDS, PLATFORMS, STATE, Fault

service = Service(None)


class _BadRequest(Exception):
    pass


def _payload(req: Request) -> dict:
    return req.json if isinstance(req.json, dict) else {}


def _platform(payload: dict) -> str:
    platform = payload.get("platform")
    if platform not in PLATFORMS:
        raise _BadRequest(f"platform must be one of {', '.join(PLATFORMS)}")
    return platform


def _number(payload: dict, name: str, default: float, *, minimum: float = 0) -> float:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _BadRequest(f"{name} must be a number >= {minimum}")
    return value


def _answer(handler: Handler) -> Handler:
    """Turn a malformed control request into a 400 JSON answer."""

    def wrapped(req: Request) -> Response:
        try:
            return handler(req)
        except (_BadRequest, ValueError) as error:
            return json_response({"error": str(error)}, 400)

    return wrapped


@service.route("GET", r"/_control/health")
def health(req: Request) -> Response:
    return json_response({"ok": True})


@service.route("POST", r"/_control/reset")
def reset(req: Request) -> Response:
    STATE.reset()
    return json_response({"ok": True})


@service.route("POST", r"/_control/users")
@_answer
def create_user(req: Request) -> Response:
    payload = _payload(req)
    user = STATE.create_user(
        _platform(payload),
        payload.get("name"),
        handle=payload.get("handle"),
        pages=payload.get("pages"),
        channel=payload.get("channel"),
    )
    return json_response(user.to_json(), 201)


@service.route("POST", r"/_control/tokens/expire")
@_answer
def expire_tokens(req: Request) -> Response:
    payload = _payload(req)
    if not payload.get("token") and not payload.get("user_id"):
        raise _BadRequest("give a token or a user_id")
    count = STATE.expire(
        _platform(payload), value=payload.get("token"), user_id=payload.get("user_id")
    )
    return json_response({"expired": count})


@service.route("POST", r"/_control/tokens/revoke")
@_answer
def revoke_tokens(req: Request) -> Response:
    payload = _payload(req)
    if not payload.get("user_id"):
        raise _BadRequest("user_id is required")
    return json_response({"revoked": STATE.revoke(_platform(payload), payload["user_id"])})


@service.route("POST", r"/_control/faults")
@_answer
def add_fault(req: Request) -> Response:
    payload = _payload(req)
    platform = _platform(payload)
    endpoints = server.fault_endpoints()
    endpoint = payload.get("endpoint")
    if endpoints.get(endpoint) != platform:
        names = ", ".join(name for name, owner in endpoints.items() if owner == platform)
        raise _BadRequest(f"endpoint must be one of {names}")
    if payload.get("kind") not in FAULT_KINDS:
        raise _BadRequest(f"kind must be one of {', '.join(FAULT_KINDS)}")
    fault = Fault(
        platform,
        endpoint,
        payload["kind"],
        int(_number(payload, "count", 1, minimum=1)),
        reset_after=_number(payload, "reset_after", 60),
        delay=_number(payload, "delay", 1),
    )
    STATE.add_fault(fault)
    return json_response(fault.to_json(), 201)


@service.route("GET", r"/_control/requests")
def requests_log(req: Request) -> Response:
    platform, endpoint = req.query.get("platform"), req.query.get("endpoint")
    records = [
        record
        for record in STATE.requests
        if platform in (None, record["platform"]) and endpoint in (None, record["endpoint"])
    ]
    return json_response(records)


@service.route("GET", r"/_control/posts")
def posts(req: Request) -> Response:
    """Every post, oldest first; `platform` matches the emulator platform or the network."""
    platform, account = req.query.get("platform"), req.query.get("account_id")
    return json_response(
        [
            post.to_json()
            for post in STATE.posts
            if platform in (None, post.platform, post.network)
            and account in (None, post.account_id)
        ]
    )


def _facebook_post(account_id: str, text: str) -> Post:
    found = STATE.find_page(account_id)
    if found is None:
        raise _BadRequest("account_id must be a Page id the emulator holds")
    return facebook.add_post(found[1], "mobile_status_update", text, [])


def _instagram_post(account_id: str, text: str) -> Post:
    found = STATE.find_instagram(account_id)
    if found is None:
        raise _BadRequest("account_id must be an Instagram account id the emulator holds")
    if len(text) > (limit := instagram.CAPTION_LIMITS["characters"]):
        raise _BadRequest(f"an Instagram caption has at most {limit} characters")
    return instagram.add_media(found[1], "IMAGE", text, [])


def _x_post(account_id: str, text: str) -> Post:
    user = STATE.user("x", account_id)
    if user is None:
        raise _BadRequest("account_id must be an X user id the emulator holds")
    if x_publish.weighted_length(text) > (limit := x_publish.MAX_WEIGHTED_LENGTH):
        raise _BadRequest(f"an X post weighs at most {limit} characters")
    return x_publish.add_post(user, text)


def _youtube_video(account_id: str, text: str) -> Post:
    found = STATE.find_channel(account_id)
    if found is None:
        raise _BadRequest("account_id must be a YouTube channel id the emulator holds")
    title = text or "Untitled video"  # a video always has a title
    if len(title) > youtube.TITLE_LIMIT or re.search(r"[<>]", title):
        raise _BadRequest(f"a YouTube title has at most {youtube.TITLE_LIMIT} characters, no < >")
    return youtube.add_video(found[1], {"title": title}, {"privacyStatus": "public"}, [])


def _linkedin_post(account_id: str, text: str) -> Post:
    org = linkedin.find_organization(account_id)
    if org is None:
        raise _BadRequest("account_id must be a LinkedIn organization id the emulator holds")
    if len(text) > (limit := linkedin_posts.COMMENTARY_LIMIT):
        raise _BadRequest(f"a LinkedIn post has at most {limit} characters")
    return linkedin_posts.add_post(org, text, None, [])


def _tiktok_video(account_id: str, text: str) -> Post:
    user = STATE.user("tiktok", account_id)
    if user is None:
        raise _BadRequest("account_id must be a TikTok open_id the emulator holds")
    from emulator.tiktok_publish import TITLE_LIMIT as limit  # it imports this module

    if len(text.encode("utf-16-le")) // 2 > limit:
        raise _BadRequest(f"a TikTok title has at most {limit} UTF-16 code units")
    video_id = STATE.next_id("tiktok_video")
    return STATE.add_post(
        Post(
            platform="tiktok",
            network="tiktok",
            account_id=user.id,
            id=video_id,
            kind="video",
            text=text,
            created_at=STATE.now(),
            permalink=f"https://www.tiktok.com/@{user.handle}/video/{video_id}",
            details={"privacy_level": "PUBLIC_TO_EVERYONE"},
        )
    )


# network -> how its publish path makes a post of that account (ids, permalink, details)
_EARLIER_POSTS: dict[str, Callable[[str, str], Post]] = {
    "facebook": _facebook_post,
    "instagram": _instagram_post,
    "x": _x_post,
    "youtube": _youtube_video,
    "linkedin": _linkedin_post,
    "tiktok": _tiktok_video,
}


def _backdate(post: Post, payload: dict) -> None:
    """`created_time` (ISO 8601, not in the future) and `format` (what the audience saw, for the
    engagement model) of an earlier post."""
    created = payload.get("created_time")
    if created is not None:
        moment = parse_iso(str(created))
        if moment > STATE.now():
            raise _BadRequest("created_time must not be in the future")
        post.created_at = moment
    kind = payload.get("format")
    if kind is not None:
        if kind not in engagement.FORMATS:
            raise _BadRequest(f"format must be one of {', '.join(engagement.FORMATS)}")
        post.details["format"] = kind


@service.route("POST", r"/_control/posts")
@_answer
def create_post(req: Request) -> Response:
    """A post the account published before, outside Mixora (so customers can comment on it);
    no media is kept, and no platform rule but the text limits applies."""
    payload = _payload(req)
    network = payload.get("network")
    if network not in _EARLIER_POSTS:
        raise _BadRequest(f"network must be one of {', '.join(_EARLIER_POSTS)}")
    text = payload.get("text", "")
    if not isinstance(text, str):
        raise _BadRequest("text must be a string")
    if payload.get("format") not in (None, *engagement.FORMATS):
        raise _BadRequest(f"format must be one of {', '.join(engagement.FORMATS)}")
    if payload.get("created_time") is not None:
        parse_iso(str(payload["created_time"]))  # a bad time refuses before anything is made
    post = _EARLIER_POSTS[network](str(payload.get("account_id") or ""), text)
    _backdate(post, payload)
    return json_response(post.to_json(), 201)


def _is_zone(value: object) -> bool:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# What `/_control/engagement` may change of an account's model, and how to check a value.
def _numbers(minimum: float) -> Callable[[object], bool]:
    return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= minimum


def _bands(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(b, list) and len(b) == 2 and all(_numbers(0)(n) for n in b) for b in value
    )


_MODEL_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "audience": (_numbers(0), "a number >= 0"),
    "growth_per_day": (_numbers(0), "a number >= 0"),
    "reach_share": (_numbers(0), "a number >= 0"),
    "base_rate": (_numbers(0), "a number >= 0"),
    "good_lift": (_numbers(0), "a number >= 0"),
    "noise": (_numbers(0), "a number >= 0"),
    "timezone": (_is_zone, "an IANA time zone"),
    "good_days": (
        lambda v: isinstance(v, list) and all(d in range(7) for d in v),
        "a list of weekdays 0 (Monday) to 6",
    ),
    "good_hours": (
        lambda v: isinstance(v, list) and len(v) == 2 and 0 <= v[0] < v[1] <= 24,
        "[start, end) hours, 0 to 24",
    ),
    "format_effects": (
        lambda v: (
            isinstance(v, dict)
            and set(v) <= set(engagement.FORMATS)
            and all(_numbers(0)(n) for n in v.values())
        ),
        f"factors for some of {', '.join(engagement.FORMATS)}",
    ),
    "length_effects": (_bands, "[[max characters, factor], ...]"),
    "hashtag_effects": (_bands, "[[max hashtags, factor], ...]"),
}


@service.route("GET", r"/_control/engagement")
@_answer
def engagement_model(req: Request) -> Response:
    """The hidden model of one account (`network`, `account_id`): for tests, never for Mixora."""
    network, account_id = req.query.get("network", ""), req.query.get("account_id", "")
    return json_response(engagement.model(network, account_id).to_json())


@service.route("POST", r"/_control/engagement")
@_answer
def plant_engagement(req: Request) -> Response:
    """Replace parts of one account's engagement model (a planted pattern)."""
    payload = _payload(req)
    network, account_id = payload.pop("network", None), payload.pop("account_id", None)
    if network not in _EARLIER_POSTS or not isinstance(account_id, str) or not account_id:
        raise _BadRequest(f"network ({', '.join(_EARLIER_POSTS)}) and account_id are required")
    for name, value in payload.items():
        if name not in _MODEL_FIELDS:
            raise _BadRequest(f"{name} is not part of the model: {', '.join(_MODEL_FIELDS)}")
        check, wanted = _MODEL_FIELDS[name]
        if not check(value):
            raise _BadRequest(f"{name} must be {wanted}")
    return json_response(engagement.plant(network, account_id, payload).to_json())


@service.route("GET", r"/_control/behaviour")
def behaviour(req: Request) -> Response:
    return json_response(STATE.behaviour)


@service.route("POST", r"/_control/behaviour")
@_answer
def set_behaviour(req: Request) -> Response:
    payload = _payload(req)
    knobs = STATE.behaviour[_platform(payload)]
    changes = {name: value for name, value in payload.items() if name != "platform"}
    for name, value in changes.items():
        if name not in knobs:
            raise _BadRequest(f"{name} is not a knob of {payload['platform']}: {', '.join(knobs)}")
        _check_knob(name, BEHAVIOUR[payload["platform"]][name], value)
    knobs.update(changes)
    return json_response(knobs)


def _check_knob(name: str, default: object, value: object) -> None:
    """A knob keeps the type of its default: a flag, a count, a number of seconds, or a text
    (null: off)."""
    if isinstance(default, bool):
        ok, wanted = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        wanted = "an integer >= 0"
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        wanted = "a number > 0"
    else:
        ok, wanted = value is None or (isinstance(value, str) and value != ""), "a text or null"
    if not ok:
        raise _BadRequest(f"{name} must be {wanted}")


@service.route("POST", r"/_control/clock")
@_answer
def advance_clock(req: Request) -> Response:
    """`advance` moves the clock on by that many seconds; `offset` sets it that many seconds from
    real time, the past included (to replay an account's history, e.g. the demo's)."""
    payload = _payload(req)
    if "offset" in payload:
        STATE.offset = _number(payload, "offset", 0, minimum=-10 * 365 * 86_400)
    STATE.offset += _number(payload, "advance", 0)
    return json_response({"now": STATE.now(), "offset": STATE.offset})


@service.route("GET", r"/_avatars/(?P<key>[^/]+)\.svg")
def avatar(req: Request) -> Response:
    key = req.params["key"]
    letter = next((c for c in key if c.isalnum()), "?").upper()
    hue = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 360
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
        f'<rect width="200" height="200" fill="hsl({hue},55%,45%)"/>'
        '<text x="100" y="100" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="96" fill="#fff">{escape(letter)}</text></svg>'
    )
    return Response(200, svg.encode(), {"Content-Type": "image/svg+xml"})


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid 8-bit RGB PNG built by hand: the signature, then IHDR, IDAT and IEND chunks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # depth 8, truecolour
    row = b"\x00" + bytes(rgb) * width  # each scanline starts with its filter type (0: none)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# Profile pictures are raster images: X's "normal" variant is a 48x48 PNG or JPEG on
# pbs.twimg.com (developer.x.com/en/docs/accounts-and-users/user-profile-images-and-banners).
@service.route("GET", r"/_avatars/(?P<key>[^/]+)\.png")
def avatar_png(req: Request) -> Response:
    hue = int(hashlib.sha256(req.params["key"].encode()).hexdigest()[:4], 16) % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.45, 0.55)
    png = _png(48, 48, (round(red * 255), round(green * 255), round(blue * 255)))
    return Response(200, png, {"Content-Type": "image/png"})


@service.route("GET", r"/_media/attachments/(?P<key>[^/]+)\.png")
def attachment(req: Request) -> Response:
    """The picture of an inbound message's image attachment, coloured by its key like the
    avatars (the machine may be offline, so nothing points at a real CDN)."""
    hue = int(hashlib.sha256(req.params["key"].encode()).hexdigest()[:4], 16) % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.45, 0.55)
    png = _png(64, 48, (round(red * 255), round(green * 255), round(blue * 255)))
    return Response(200, png, {"Content-Type": "image/png"})
