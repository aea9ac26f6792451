"""A history for the local demo: Demo Co's Instagram account with twelve weeks of posts, read
through the emulator the way analytics reads any account. Local mode only.

The account is connected through the emulator's consent page (as a person would click it), each
earlier post is made in the emulator at its time, and the collection schedule is replayed with
the emulator's clock set back to each reading's moment, so every number on the analytics page
is what the emulated Instagram answered."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User, Workspace
from connections import services as connection_services
from connections.models import ConnectedAccount
from connections.oauth_flow import redirect_uri
from connections.platforms.base import pkce_pair
from connections.platforms.registry import connector
from publishing import media as media_library
from publishing.models import Media, Post, PostMedia, PostTarget
from publishing.sample_media import image_bytes, mp4_bytes

from . import collection, enrolment, followers

DEMO_ACCOUNT = ("instagram", "17841400000000001")  # the emulator's seeded democo.coffee
WEEKS = 12
# When a small café team tends to post (local hours), and what.
HOURS = (7, 8, 9, 11, 12, 13, 15, 17, 18, 19, 20, 21)
FORMATS = (("image", 5), ("carousel", 3), ("video", 3))
CAPTIONS = (
    "New on the menu: {thing}.",
    "Our baristas' pick this week is {thing}, roasted in small batches and best enjoyed slowly "
    "with a friend. Come by and tell us what you think.",
    "{thing} is back! Tag someone who needs it today.",
    "Behind the counter: how we make {thing}, from green beans to your cup. We taste every "
    "batch before it reaches the shelf, and we change the recipe when the harvest changes. "
    "Ask us about it next time you visit — we love talking coffee.",
)
THINGS = ("the Ethiopia Guji", "oat flat whites", "our spring blend", "cardamom buns", "cold brew")
TAGS = ("#coffee", "#specialtycoffee", "#cafe", "#barista", "#latteart", "#coffeetime", "#roastery")


class _ConsentForm(HTMLParser):
    """The fields of the emulator's authorize page, every offered permission ticked."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.action:
            self.action = found.get("action", "")
        elif tag == "input" and found.get("name") and found.get("type") != "submit":
            self.fields.append((found["name"], found.get("value", "")))


def _emulator(path: str, payload: dict) -> dict:
    answer = requests.post(f"{settings.EMULATOR_URL}/_control/{path}", json=payload, timeout=10)
    answer.raise_for_status()
    return answer.json()


def connect_demo_account(workspace: Workspace, owner: User) -> ConnectedAccount:
    """Allow Mixora on the emulator's Meta consent page and keep Demo Co's Instagram account."""
    verifier, challenge = pkce_pair()
    meta = connector("meta")
    authorize = meta.authorization_url(redirect_uri("meta"), secrets.token_urlsafe(16), challenge)
    page = requests.get(authorize, timeout=10)
    page.raise_for_status()
    form = _ConsentForm()
    form.feed(page.text)
    answer = requests.post(
        urljoin(authorize, form.action) if form.action else authorize,
        data=[*form.fields, ("decision", "allow")],
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    grant = meta.complete(code, redirect_uri("meta"), verifier)
    wanted = [p for p in grant.profiles if (p.platform, p.external_id) == DEMO_ACCOUNT]
    (account,) = connection_services.save_grant(workspace, owner, grant, wanted)
    return account


def _library(workspace: Workspace, owner: User) -> dict[str, list[Media]]:
    colours = ((111, 78, 55), (196, 164, 132), (91, 76, 240), (34, 139, 94))
    images = [
        media_library.ingest(
            workspace,
            owner,
            SimpleUploadedFile(f"demo-{n}.jpg", image_bytes(size=(1080, 1080), color=colour)),
        )
        for n, colour in enumerate(colours, 1)
    ]
    video = media_library.ingest(
        workspace, owner, SimpleUploadedFile("demo-reel.mp4", mp4_bytes(duration=12))
    )
    return {"image": images[:1], "carousel": images, "video": [video]}


def _caption(rng: random.Random) -> str:
    text = rng.choice(CAPTIONS).format(thing=rng.choice(THINGS))
    tags = rng.sample(TAGS, rng.choice((0, 2, 3, 5, 7)))
    return " ".join([text, *tags])


def _moments(rng: random.Random, tz_name: str, now: datetime) -> list[datetime]:
    """About one post a day over the weeks, at the team's usual hours."""
    local_now = now.astimezone(ZoneInfo(tz_name))
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(weeks=WEEKS)
    moments = []
    for day in range(WEEKS * 7):
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            moment = start + timedelta(days=day, hours=rng.choice(HOURS), minutes=rng.randrange(60))
            if moment < local_now - timedelta(hours=2):
                moments.append(moment)
    return sorted(moments)


def _publish_history(account: ConnectedAccount, owner: User, now: datetime) -> int:
    rng = random.Random(f"demo-history:{account.external_id}")  # noqa: S311 (repeatable)
    library = _library(account.workspace, owner)
    formats = [name for name, weight in FORMATS for _ in range(weight)]
    made = 0
    for moment in _moments(rng, account.workspace.timezone, now):
        kind, text = rng.choice(formats), _caption(rng)
        remote = _emulator(
            "posts",
            {
                "network": account.platform,
                "account_id": account.external_id,
                "text": text,
                "created_time": moment.astimezone(UTC).isoformat(),
                "format": kind,
            },
        )
        post = Post.objects.create(
            workspace=account.workspace,
            author=owner,
            text=text,
            stage=Post.Stage.PUBLISHED,
            scheduled_at=moment,
        )
        for position, item in enumerate(library[kind]):
            PostMedia.objects.create(post=post, media=item, position=position)
        PostTarget.objects.create(
            post=post,
            account=account,
            state=PostTarget.State.PUBLISHED,
            platform_post_id=remote["id"],
            permalink=remote["permalink"],
            published_at=moment,
        )
        made += 1
    return made


def _replay_readings(account: ConnectedAccount, first: datetime, now: datetime) -> None:
    """Read metrics at each due moment from `first` to `now`, the emulator's clock set there."""
    enrolment.enrol_published(now=first)
    try:
        while True:
            due = (
                account.post_insights.filter(next_collect_at__lte=now)
                .order_by("next_collect_at")
                .values_list("next_collect_at", flat=True)
                .first()
            )
            if due is None:
                break
            _emulator("clock", {"offset": (due - now).total_seconds()})
            collection.collect_due(due)
        for days_ago in range(WEEKS * 7, -1, -1):
            moment = now - timedelta(days=days_ago)
            _emulator("clock", {"offset": -days_ago * 86_400})
            followers.record_followers(account, moment.date())
    finally:
        _emulator("clock", {"offset": 0})


def seed_history(workspace: Workspace, owner: User) -> str:
    """Connect the demo account and give it a history, once; a line saying what was done."""
    if getattr(settings, "MIXORA_MODE", "") != "local":
        raise ImproperlyConfigured("Demo history is only ever seeded in the local mode.")
    if workspace.post_insights.exists():
        return "Demo Co already has an analytics history."
    now = timezone.now()
    account = connect_demo_account(workspace, owner)
    posts = _publish_history(account, owner, now)
    first = account.targets.order_by("published_at").values_list("published_at", flat=True)[0]
    _replay_readings(account, first, now)
    return f"Demo Co's Instagram has {posts} earlier posts and {WEEKS} weeks of metrics."
