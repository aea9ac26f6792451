"""What publishing and the inbox ask of a network, and the plain values they get back.

Each package beside this file (`meta/`, `x/`, `tiktok/`, `youtube/`, `linkedin/`) defines one
`Network` per platform it serves; `registry.network(platform)` finds it. Nothing outside those
packages knows a network by its name: it asks the network object."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from ..models import ConnectedAccount
    from .inbox_types import InboundItem

HASHTAG = re.compile(r"(?<!\w)#\w+")
MENTION = re.compile(r"(?<!\w)@[\w.]+")


# --- the composer -----------------------------------------------------------------------


@dataclass(frozen=True)
class MediaFacts:
    kind: str  # "image" | "video"
    content_type: str
    size: int
    duration: float | None = None


@dataclass
class Check:
    """The verdict for one target: problems block scheduling; the counter feeds the UI."""

    platform: str
    problems: list[str] = field(default_factory=list)
    used: int = 0
    limit: int = 0
    counter_label: str = "characters"

    @property
    def ok(self) -> bool:
        return not self.problems


def media_counts(media: list[MediaFacts]) -> tuple[int, int]:
    """(images, videos)."""
    images = sum(1 for m in media if m.kind == "image")
    return images, len(media) - images


# --- the inbox --------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """Whether one kind of conversation of an account is received and can be answered."""

    kind: str  # "message" or "comment"
    label: str
    receive: bool
    reply: bool
    detail: str


@dataclass(frozen=True)
class ReplyRule:
    allowed: bool
    reason: str = ""
    messaging_type: str = ""
    tag: str = ""
    max_length: int = 0
    closes_at: datetime | None = None
    # How the network counts a reply's length (X weighs characters); `len` where not set.
    counter: Callable[[str], int] | None = None

    @property
    def human_agent(self) -> bool:
        return self.tag == "HUMAN_AGENT"

    def length(self, text: str) -> int:
        return self.counter(text) if self.counter else len(text)


@dataclass(frozen=True)
class Thread:
    """What the network's reply rules may know of a conversation, read by the inbox."""

    kind: str  # "message" or "comment"
    thread_key: str
    participant_id: str
    last_inbound_at: datetime | None = None
    # The newest inbound message: its platform id and text (what an X reply answers, and
    # whether it mentioned the account).
    last_inbound_id: str = ""
    last_inbound_text: str = ""


@dataclass(frozen=True)
class ReplyTarget:
    """One reply to send: its conversation, its text and how the rules said to send it."""

    thread: Thread
    text: str
    messaging_type: str = ""
    tag: str = ""


@dataclass(frozen=True)
class EventsStatus:
    """Whether the platform sends this account's events to Mixora, in words for the page."""

    receiving: bool
    detail: str


def missing_scopes(account: ConnectedAccount, *scopes: str) -> list[str]:
    granted = set(account.scopes or [])
    return [scope for scope in scopes if scope not in granted]


def scoped_feature(account: ConnectedAccount, kind: str, label: str, *scopes: str) -> Feature:
    missing = missing_scopes(account, *scopes)
    if missing:
        detail = f"Reconnect and allow {', '.join(missing)} to answer here."
        return Feature(kind, label, receive=True, reply=False, detail=detail)
    return Feature(kind, label, receive=True, reply=True, detail="Arrives in real time.")


# --- analytics ------------------------------------------------------------------------

# The numbers Mixora keeps of a published post, in its own words. A network fills those it
# provides (`Network.metrics_fields`); the rest stay None and the analytics page says why.
METRIC_FIELDS = (
    "impressions",  # times shown or viewed (views, impressions, plays)
    "reach",  # distinct people or accounts reached
    "engagements",  # interactions, as the network counts them (see `metrics_notes`)
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "video_views",
)


@dataclass(frozen=True)
class PostMetrics:
    """One reading of a published post's public metrics. None: the network has no such number."""

    impressions: int | None = None
    reach: int | None = None
    engagements: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    clicks: int | None = None
    video_views: int | None = None

    def values(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRIC_FIELDS}


class Network:
    """One platform's answers. Subclasses override what their platform supports; the
    defaults describe a network that publishes but has no inbox."""

    platform: str = ""
    label: str = ""
    # The composer: the per-account options block (a template under templates/platforms/).
    options_template: str = ""
    caption_label: str = "Caption"
    # The composer's preview: a template under templates/platforms/previews/ drawing the post
    # as this network shows it, and where its feed folds a long text behind "more" (0: never).
    preview_template: str = "platforms/previews/generic.html"
    preview_fold: int = 0
    # The inbox: how replies are counted, and whether comments arrive by polling.
    polls_inbox: bool = False
    # The emulator's name for this network's inbound side (local mode's "Simulate customers").
    demo_inbound: str = ""
    demo_script: tuple[tuple[str, str, str], ...] = ()

    @property
    def client(self) -> Any:
        """This network's connector (its provider's, shared with its sibling networks)."""
        from . import PROVIDER_OF
        from .registry import connector

        return connector(PROVIDER_OF[self.platform])

    # The composer ---------------------------------------------------------------------
    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        raise NotImplementedError

    def composer_options(self, data: Any, account: ConnectedAccount) -> dict[str, Any]:
        """This network's options from the composer's form data for `account`."""
        return {}

    def describe_options(self, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The options a person chose, in words, for the review page."""
        return [
            (key.replace("_", " ").capitalize(), str(value))
            for key, value in sorted(options.items())
            if value not in ("", None)
        ]

    def composer_context(self, account: ConnectedAccount) -> dict[str, Any]:
        """Extra values the options template shows (e.g. the creator's allowed privacy)."""
        return {}

    def preview_text(self, text: str) -> tuple[str, bool]:
        """The text the feed shows before its "more" link, and whether any is folded away."""
        if not self.preview_fold or len(text) <= self.preview_fold:
            return text, False
        cut = text[: self.preview_fold]
        # The feeds break between words; a word longer than the whole fold is cut as it is.
        if " " in cut and not text[self.preview_fold].isspace():
            cut = cut.rsplit(" ", 1)[0]
        return cut.rstrip(), True

    # The inbox ------------------------------------------------------------------------
    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        return []

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        return ReplyRule(False, "Replies are not available here.")

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        raise NotImplementedError(f"{self.label} has no inbox replies")

    def sender_profile(self, account: ConnectedAccount, person_id: str) -> dict[str, str] | None:
        """The public name and picture of someone who wrote, where the events lack them."""
        return None

    def poll(self, account: ConnectedAccount, since: datetime | None) -> Iterator[InboundItem]:
        """Inbound items newer than `since`, for networks without webhooks."""
        return iter(())

    def poll_interval_seconds(self, account: ConnectedAccount) -> int:
        return settings.INBOX_POLL_SECONDS

    # Published posts ------------------------------------------------------------------
    # Whether the network's API lets an app delete a post it published; where it does not,
    # people delete it in the network's own app.
    can_delete_published: bool = False

    def delete_published_refusal(self, account: ConnectedAccount) -> str:
        """Why Mixora cannot delete this account's published posts, in words for the person
        ("" when it can)."""
        if not self.can_delete_published:
            return (
                f"{self.label}'s API does not let apps delete posts: delete it on "
                f"{self.label} itself."
            )
        return ""

    def delete_published(self, account: ConnectedAccount, post_id: str) -> None:
        """Delete a post Mixora published on `account`. A post the network no longer has
        counts as deleted; any other refusal raises a PlatformError."""
        raise NotImplementedError(f"{self.label} does not let apps delete posts")

    # Analytics ------------------------------------------------------------------------
    # Which PostMetrics fields this network provides, and in words what it counts as an
    # engagement and why a field is missing (shown on the analytics page).
    metrics_fields: tuple[str, ...] = ()
    metrics_notes: Mapping[str, str] = {}
    # How many post ids one metrics call may carry.
    metrics_batch_size: int = 1

    def metrics_refusal(self, account: ConnectedAccount) -> str:
        """Why Mixora cannot read this account's metrics ("" when it can), e.g. a permission
        the person did not grant."""
        return "" if self.metrics_fields else f"{self.label} offers no metrics to apps."

    def post_metrics(
        self, account: ConnectedAccount, post_ids: list[str]
    ) -> dict[str, PostMetrics]:
        """The current metrics of some of the account's published posts (at most
        `metrics_batch_size`), by post id. A post the network no longer has, or has no
        numbers for yet, is left out. Raises a PlatformError."""
        return {}

    def followers_refusal(self, account: ConnectedAccount) -> str:
        """Why Mixora cannot read this account's followers ("" when it can or when the network
        does not say)."""
        return ""

    def follower_count(self, account: ConnectedAccount) -> int | None:
        """The account's followers (subscribers, page follows) now; None where the network does
        not say. Raises a PlatformError."""
        return None

    # The account's life ---------------------------------------------------------------
    def on_connected(self, account: ConnectedAccount) -> EventsStatus | None:
        """After an account is connected or reconnected: ask the platform to send its events
        (Meta's subscribed_apps, X's subscriptions). None where the network sends none.
        Raises a PlatformError when the platform refuses."""
        return None

    def on_disconnecting(self, account: ConnectedAccount) -> None:
        """Before the account is deleted: stop its events. Raises a PlatformError."""


class MeasuresThroughModule:
    """For networks that keep their metrics code in `<network>/metrics.py` (named here as
    `metrics_module`): `BATCH_SIZE`, `refusal(account)`, `post_metrics(client, account, ids)`
    and `followers(client, account)`. Put it before `Network` in the bases."""

    metrics_module: ModuleType
    client: Any

    @property
    def metrics_batch_size(self) -> int:
        return self.metrics_module.BATCH_SIZE

    def metrics_refusal(self, account: ConnectedAccount) -> str:
        return self.metrics_module.refusal(account)

    def post_metrics(
        self, account: ConnectedAccount, post_ids: list[str]
    ) -> dict[str, PostMetrics]:
        return self.metrics_module.post_metrics(self.client, account, post_ids)

    def follower_count(self, account: ConnectedAccount) -> int | None:
        return self.metrics_module.followers(self.client, account)


class WebhookSource:
    """One endpoint the platform posts events to (`/webhooks/<name>/`): its handshake, its
    signature check over the raw body, and the parser that turns a body into items."""

    name: str = ""

    def handshake(self, request: HttpRequest) -> HttpResponse:
        """The answer to the platform's GET (verification or challenge)."""
        raise NotImplementedError

    def signature_ok(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def acknowledgement(self) -> HttpResponse:
        return HttpResponse(status=200)

    def parse(self, body: dict[str, Any]) -> Iterator[InboundItem]:
        raise NotImplementedError

    def register(self, callback_url: str) -> str:
        """Point the platform's deliveries at `callback_url` (run by `manage.py
        register_webhooks` at deploy and by `make run`); a line saying what was done. Raises a
        PlatformError when the platform refuses (e.g. its handshake failed)."""
        raise NotImplementedError
