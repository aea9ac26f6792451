"""The emulator's in-memory world: users, authorization codes, tokens, posts and publishing work
in progress, behaviour knobs, faults, request log, clock.

Nothing here locks by itself: the server holds `STATE.lock` around every handler, so a handler
sees and changes the state atomically.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from emulator.posts import BEHAVIOUR, Post

PLATFORMS = ("meta", "x", "tiktok", "google", "linkedin")
# rate_limit/auth/validation/server answer with an error instead of the handler; slow sleeps
# first; accept_then_timeout and drop run the handler (the action happens) and then sleep
# before answering, or close the connection without an answer.
FAULT_KINDS = ("rate_limit", "auth", "validation", "server", "slow", "accept_then_timeout", "drop")
# LinkedIn: "The authorization code is only valid for 30 minutes" (learn.microsoft.com/en-us/
# linkedin/shared/authentication/authorization-code-flow).
CODE_TTL = {"meta": 600, "x": 30, "tiktok": 600, "google": 600, "linkedin": 1800}

# First id of each kind; the n-th object gets base + n, so the seed always owns the first ids.
_ID_FORMATS = {
    "meta_user": lambda n: str(10_000_000_000_000 + n),
    "meta_page": lambda n: str(20_000_000_000_000 + n),
    "instagram": lambda n: str(17_841_400_000_000_000 + n),
    "x_user": lambda n: str(1_500_000_000_000_000_000 + n),
    "tiktok_user": lambda n: f"tt-open-{n:06d}",
    "google_user": lambda n: f"g-{n:06d}",
    "channel": lambda n: f"UCdemo{n:019d}",
    "fb_post": lambda n: str(40_000_000_000_000 + n),  # the part after "{page-id}_"
    "fb_media": lambda n: str(30_000_000_000_000 + n),  # Page photos and videos
    "ig_container": lambda n: str(17_889_000_000_000_000 + n),
    "ig_media": lambda n: str(17_900_000_000_000_000 + n),
    "x_post": lambda n: str(1_900_000_000_000_000_000 + n),
    "x_media": lambda n: str(1_880_000_000_000_000_000 + n),
    "tiktok_publish": lambda n: str(7_400_000_000_000_000_000 + n),
    "tiktok_video": lambda n: str(7_450_000_000_000_000_000 + n),
    "youtube_video": lambda n: f"emuVideo{n:03d}",  # 11 characters, like real ids
    "upload": lambda n: f"AUpload{n:09d}",
    "linkedin_user": lambda n: f"emuMember{n:03d}",  # person ids are opaque strings
    "linkedin_org": lambda n: str(90_000_000 + n),
}


def slug(text: str) -> str:
    """A handle-like form of a display name: "Demo Co TV" -> "democotv"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class InstagramAccount:
    id: str
    username: str
    name: str

    def to_json(self) -> dict:
        return {"id": self.id, "username": self.username, "name": self.name}


@dataclass
class Page:
    id: str
    name: str
    username: str
    instagram: InstagramAccount | None = None

    def to_json(self) -> dict:
        instagram = self.instagram.to_json() if self.instagram else None
        return {"id": self.id, "name": self.name, "username": self.username, "instagram": instagram}


@dataclass
class Channel:
    id: str
    title: str
    custom_url: str

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "custom_url": self.custom_url}


@dataclass
class User:
    platform: str
    id: str
    name: str
    handle: str
    pages: list[Page] = field(default_factory=list)  # meta Pages; linkedin organisations
    channel: Channel | None = None  # google only

    def to_json(self) -> dict:
        data = {"platform": self.platform, "id": self.id, "name": self.name, "handle": self.handle}
        if self.platform in ("meta", "linkedin"):
            data["pages"] = [page.to_json() for page in self.pages]
        if self.platform == "google":
            data["channel"] = self.channel.to_json() if self.channel else None
        return data


@dataclass
class AuthCode:
    value: str
    platform: str
    client_id: str
    redirect_uri: str
    user_id: str
    scopes: list[str]
    declined: list[str]
    expires_at: float
    challenge: str | None = None
    challenge_method: str | None = None
    offline: bool = False  # google: the exchange also returns a refresh token
    used: bool = False

    def verifier_matches(self, verifier: str) -> bool:
        """PKCE (RFC 7636). TikTok's desktop flow hex-encodes the S256 digest instead."""
        if self.challenge_method == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = {base64.urlsafe_b64encode(digest).rstrip(b"=").decode()}
            if self.platform == "tiktok":
                expected.add(digest.hex())
            return any(secrets.compare_digest(self.challenge or "", e) for e in expected)
        return secrets.compare_digest(self.challenge or "", verifier)


@dataclass
class Token:
    value: str
    platform: str
    kind: str  # "user" or "page" (access tokens) or "refresh"
    user_id: str
    client_id: str
    scopes: list[str]
    grant: int  # tokens from one authorization share a grant; revoking a grant kills them all
    expires_at: float | None  # None: never expires
    declined: list[str] = field(default_factory=list)
    page_id: str | None = None  # page tokens: the page
    parent: str | None = None  # page tokens: the user token they were derived from
    long_lived: bool = False  # meta user tokens from fb_exchange_token
    revoked: bool = False

    def status(self, now: float) -> str:
        """One of "ok", "revoked", "expired"."""
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "ok"


@dataclass
class Fault:
    platform: str
    endpoint: str
    kind: str
    remaining: int
    reset_after: float = 60.0
    delay: float = 1.0

    def to_json(self) -> dict:
        return {
            "platform": self.platform,
            "endpoint": self.endpoint,
            "kind": self.kind,
            "count": self.remaining,
            "reset_after": self.reset_after,
            "delay": self.delay,
        }


def _x_token(kind: str) -> str:
    # X tokens are base64 of "<random>:<ms>:1:0:<at|rt>:1"; imitate the look, not the meaning.
    raw = f"{secrets.token_urlsafe(30)}:{int(time.time() * 1000)}:1:0:{kind}:1"
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _token_value(platform: str, kind: str) -> str:
    refresh = kind == "refresh"
    if platform == "meta":
        return "EAAG" + secrets.token_urlsafe(60).replace("-", "").replace("_", "")
    if platform == "x":
        return _x_token("rt" if refresh else "at")
    if platform == "linkedin":  # opaque, ~500 characters (authorization-code-flow page)
        return "AQ" + ("W" if refresh else "V") + secrets.token_urlsafe(360)
    if platform == "tiktok":
        return ("rft." if refresh else "act.") + secrets.token_hex(30) + "!6372.e1"
    return ("1//0" if refresh else "ya29.a0") + secrets.token_urlsafe(48)


def _code_value(platform: str) -> str:
    if platform == "meta":
        return "AQ" + secrets.token_urlsafe(48)
    if platform == "tiktok":
        # Real TikTok codes carry "*" and "!", so clients must URL-decode them properly.
        return secrets.token_urlsafe(24) + "*0!" + secrets.token_hex(4)
    if platform == "google":
        return "4/0A" + secrets.token_urlsafe(40)
    return secrets.token_urlsafe(40)


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    @contextmanager
    def unlocked(self) -> Iterator[None]:
        """Handlers run with the lock held; a handler waiting on the network lets it go."""
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()

    def reset(self) -> None:
        self.offset = 0.0
        self.counters: dict[str, int] = {}
        self.users: dict[str, dict[str, User]] = {platform: {} for platform in PLATFORMS}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, Token] = {}
        self.grants = 0
        self.client_secrets: dict[tuple[str, str], str] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[dict] = []
        self.windows: dict[tuple, tuple[float, int]] = {}
        self.posts: list[Post] = []
        self.work: dict[str, dict[str, object]] = {}  # publishing in progress, by kind then id
        self.behaviour: dict[str, dict[str, object]] = copy.deepcopy(BEHAVIOUR)
        self._seed()

    def _seed(self) -> None:
        self.create_user(
            "meta",
            "Dana Demo",
            pages=[
                {"name": "Demo Co Coffee", "instagram": {"username": "democo.coffee"}},
                {"name": "Demo Co Bakery"},
            ],
        )
        self.create_user("x", "Demo Co", handle="democo")
        self.create_user("tiktok", "Demo Co", handle="democo")
        self.create_user("google", "Demo Co", channel={"title": "Demo Co TV"})
        self.create_user(
            "linkedin", "Dana Demo", pages=[{"name": "Demo Co"}, {"name": "Demo Co Careers"}]
        )

    # --- clock and ids -------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.offset

    def next_id(self, kind: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return _ID_FORMATS[kind](self.counters[kind])

    # --- users ---------------------------------------------------------------------------

    def create_user(
        self,
        platform: str,
        name: str,
        handle: str | None = None,
        pages: list[dict] | None = None,
        channel: dict | None = None,
    ) -> User:
        """Raises ValueError for a malformed description."""
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("name is required")
        # Facebook users have no public handle; a dotted vanity name stands in for one.
        default_handle = ".".join(name.lower().split()) if platform == "meta" else slug(name)
        user = User(platform, self.next_id(f"{platform}_user"), name, handle or default_handle)
        if platform in ("meta", "linkedin"):
            user.pages = [self._create_page(page, platform) for page in pages or []]
        if platform == "google" and channel:
            title = channel.get("title") or name
            user.channel = Channel(self.next_id("channel"), title, "@" + slug(title))
        self.users[platform][user.id] = user
        return user

    def _create_page(self, spec: dict, platform: str = "meta") -> Page:
        if not isinstance(spec, dict) or not spec.get("name"):
            raise ValueError("every page needs a name")
        username = spec.get("username") or slug(spec["name"])
        kind = "linkedin_org" if platform == "linkedin" else "meta_page"
        page = Page(self.next_id(kind), spec["name"], username)
        if platform == "meta" and (instagram := spec.get("instagram")):
            username = instagram.get("username") or page.username
            page.instagram = InstagramAccount(self.next_id("instagram"), username, page.name)
        return page

    def user(self, platform: str, user_id: str) -> User | None:
        return self.users[platform].get(user_id)

    def find_page(self, page_id: str) -> tuple[User, Page] | None:
        for user in self.users["meta"].values():
            for page in user.pages:
                if page.id == page_id:
                    return user, page
        return None

    def find_instagram(self, ig_id: str) -> tuple[User, Page] | None:
        for user in self.users["meta"].values():
            for page in user.pages:
                if page.instagram and page.instagram.id == ig_id:
                    return user, page
        return None

    def find_channel(self, channel_id: str) -> tuple[User, Channel] | None:
        for user in self.users["google"].values():
            if user.channel and user.channel.id == channel_id:
                return user, user.channel
        return None

    # --- publishing -----------------------------------------------------------------------

    def add_post(self, post: Post) -> Post:
        self.posts.append(post)
        return post

    def posts_of(self, network: str, account_id: str) -> list[Post]:
        """An account's posts, newest first."""
        mine = [p for p in self.posts if p.network == network and p.account_id == account_id]
        return mine[::-1]

    def find_post(self, network: str, post_id: str) -> Post | None:
        return next((p for p in self.posts if p.network == network and p.id == post_id), None)

    def table(self, kind: str) -> dict:
        """Publishing work in progress of one kind (containers, uploads, ...), by id."""
        return self.work.setdefault(kind, {})

    def knob(self, platform: str, name: str) -> object:
        return self.behaviour[platform][name]

    # --- clients -------------------------------------------------------------------------

    def client_secret_ok(self, platform: str, client_id: str, secret: str) -> bool:
        """Any secret is accepted the first time a client id uses one; later ones must match."""
        known = self.client_secrets.setdefault((platform, client_id), secret)
        return secrets.compare_digest(known, secret)

    # --- authorization codes -------------------------------------------------------------

    def issue_code(
        self,
        platform: str,
        *,
        client_id: str,
        redirect_uri: str,
        user_id: str,
        scopes: list[str],
        declined: list[str],
        challenge: str | None = None,
        challenge_method: str | None = None,
        offline: bool = False,
    ) -> AuthCode:
        code = AuthCode(
            _code_value(platform),
            platform,
            client_id,
            redirect_uri,
            user_id,
            scopes,
            declined,
            self.now() + CODE_TTL[platform],
            challenge,
            challenge_method,
            offline,
        )
        self.codes[code.value] = code
        return code

    def code(self, platform: str, value: str | None) -> AuthCode | None:
        code = self.codes.get(value or "")
        return code if code and code.platform == platform else None

    # --- tokens --------------------------------------------------------------------------

    def new_grant(self) -> int:
        self.grants += 1
        return self.grants

    def issue_token(
        self,
        platform: str,
        kind: str,
        *,
        user_id: str,
        client_id: str,
        scopes: list[str],
        grant: int,
        ttl: float | None,
        **extra: object,
    ) -> Token:
        expires_at = None if ttl is None else self.now() + ttl
        token = Token(
            _token_value(platform, kind),
            platform,
            kind,
            user_id,
            client_id,
            list(scopes),
            grant,
            expires_at,
            **extra,
        )
        self.tokens[token.value] = token
        return token

    def token(self, platform: str, value: str | None, *, refresh: bool = False) -> Token | None:
        """The platform's access token (or refresh token) with that value, dead or alive."""
        token = self.tokens.get(value or "")
        if token is None or token.platform != platform or (token.kind == "refresh") != refresh:
            return None
        return token

    def page_token(self, parent: Token, page_id: str) -> Token:
        """The page token derived from a meta user token; the same one on every call."""
        for token in self.tokens.values():
            if token.parent == parent.value and token.page_id == page_id and not token.revoked:
                return token
        # A page token from a long-lived user token never expires; otherwise it lives as long
        # as its user token.
        lifetime = None if parent.long_lived else parent.expires_at
        return self.issue_token(
            "meta",
            "page",
            user_id=parent.user_id,
            client_id=parent.client_id,
            scopes=parent.scopes,
            grant=parent.grant,
            ttl=None if lifetime is None else lifetime - self.now(),
            declined=parent.declined,
            page_id=page_id,
            parent=parent.value,
        )

    def has_refresh_token(self, platform: str, user_id: str, client_id: str) -> bool:
        return any(
            t.kind == "refresh"
            and not t.revoked
            and (t.platform, t.user_id, t.client_id) == (platform, user_id, client_id)
            for t in self.tokens.values()
        )

    def revoke(self, platform: str, user_id: str, client_id: str | None = None) -> int:
        """Kill every token of a user (for one client, or all of them). Returns how many."""
        killed = 0
        for token in self.tokens.values():
            mine = token.platform == platform and token.user_id == user_id
            if mine and not token.revoked and client_id in (None, token.client_id):
                token.revoked = True
                killed += 1
        return killed

    def revoke_grant(self, grant: int) -> None:
        for token in self.tokens.values():
            if token.grant == grant:
                token.revoked = True

    def expire(self, platform: str, *, value: str | None = None, user_id: str | None = None) -> int:
        """Expire access tokens: the one with that value, or all of a user's (page tokens too)."""
        expired = 0
        for token in self.tokens.values():
            if token.platform != platform or token.kind == "refresh":
                continue
            if token.value == value or (user_id is not None and token.user_id == user_id):
                token.expires_at = self.now() - 1
                expired += 1
        return expired

    # --- rate windows --------------------------------------------------------------------

    def hit_window(self, key: tuple, period: float) -> tuple[int, float]:
        """Count a call in a fixed window; returns (calls in the window, window reset time)."""
        start, calls = self._window(key, period)
        self.windows[key] = (start, calls + 1)
        return calls + 1, start + period

    def peek_window(self, key: tuple, period: float) -> tuple[int, float]:
        """(calls so far in the current window, its reset time), counting nothing: a platform
        that enforces a limit checks it before the handler runs."""
        start, calls = self._window(key, period)
        return calls, start + period

    def _window(self, key: tuple, period: float) -> tuple[float, int]:
        start, calls = self.windows.get(key, (0.0, 0))
        if self.now() >= start + period:
            return self.now(), 0
        return start, calls

    # --- faults and request log ----------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        self.faults.setdefault(fault.endpoint, []).append(fault)

    def take_fault(self, endpoint: str) -> Fault | None:
        queue = self.faults.get(endpoint)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    def log_request(self, record: dict) -> None:
        self.requests.append(record)


STATE = State()
