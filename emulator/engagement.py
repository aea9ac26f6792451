"""How the emulated audiences respond to posts: a hidden, deterministic engagement model.

Real networks report metrics that grow after publishing and settle within days, and that depend
on when a post went out and what it was. Each emulated account gets a model derived from its id
(so runs repeat exactly) that tests may replace through `/_control/engagement`: an audience and
its time zone, hours of the week when it engages more, how each format and caption shape does,
and noise. Every network's metrics endpoint reads `metrics_at(post, now)` and `followers_at`,
and answers in its own words. Mixora never sees the model: only what the endpoints report."""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from emulator.posts import Post
from emulator.state import STATE

FORMATS = ("text", "image", "video", "carousel")
HASHTAG = re.compile(r"(?<!\w)#\w+")
# Followers grow from this moment (so a day's count is the same in every run).
EPOCH = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
# Metrics approach their lifetime totals with this time constant (hours): most within two days.
SETTLE_HOURS = 18.0


@dataclass
class Model:
    audience: int  # followers at EPOCH
    growth_per_day: float
    reach_share: float  # share of the audience a typical post is shown to
    base_rate: float  # engagements per impression outside the good hours
    timezone: str
    good_days: list[int]  # weekdays (0 = Monday) when the audience engages more…
    good_hours: list[int]  # …in these local hours: [start, end)
    good_lift: float  # …by this factor
    format_effects: dict[str, float] = field(default_factory=dict)  # rate factor per format
    # Rate factors by caption length (at most N characters) and hashtag count (at most N).
    length_effects: list[list[float]] = field(default_factory=list)
    hashtag_effects: list[list[float]] = field(default_factory=list)
    noise: float = 0.15  # spread of the per-post noise (log scale)

    def to_json(self) -> dict:
        return asdict(self)


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (repeatable, not secret)


def default_model(network: str, account_id: str) -> Model:
    rng = _rng("model", network, account_id)
    start_day = rng.randrange(7)
    start_hour = rng.randrange(7, 19)
    effects = [0.7, 1.0, 1.3, 1.6]
    rng.shuffle(effects)
    return Model(
        audience=rng.randrange(2_000, 60_000),
        growth_per_day=rng.uniform(2, 40),
        reach_share=rng.uniform(0.08, 0.3),
        base_rate=rng.uniform(0.02, 0.06),
        timezone="UTC",
        good_days=[start_day, (start_day + 1) % 7],
        good_hours=[start_hour, start_hour + 3],
        good_lift=1.8,
        format_effects=dict(zip(FORMATS, effects, strict=True)),
        length_effects=[[80, 0.95], [200, 1.1], [500, 1.0], [100_000, 0.85]],
        hashtag_effects=[[0, 0.95], [3, 1.1], [10, 1.0], [1_000, 0.8]],
    )


def model(network: str, account_id: str) -> Model:
    return _planted().get((network, account_id)) or default_model(network, account_id)


def plant(network: str, account_id: str, changes: dict) -> Model:
    """Replace parts of an account's model (validated by the caller); the whole model."""
    merged = {**model(network, account_id).to_json(), **changes}
    _planted()[(network, account_id)] = planted = Model(**merged)
    return planted


def _planted() -> dict:
    # In the state's tables, so an emulator reset forgets what tests planted.
    return STATE.table("engagement_models")


def post_format(post: Post) -> str:
    """The format the audience sees: what `/_control/posts` said, else what the post carries."""
    if post.details.get("format") in FORMATS:
        return post.details["format"]
    if post.network in ("youtube", "tiktok") and post.kind != "photo":
        return "video"
    videos = sum(1 for blob in post.media if blob.content_type.startswith("video/"))
    if len(post.media) > 1:
        return "carousel"
    if videos:
        return "video"
    return "image" if post.media else "text"


def _band(bands: list[list[float]], value: int) -> float:
    for upper, factor in bands:
        if value <= upper:
            return factor
    return 1.0


def lifetime(post: Post) -> dict[str, int]:
    """What the post ends up with after it settles."""
    m = model(post.network, post.account_id)
    rng = _rng("post", post.network, post.id)
    local = datetime.fromtimestamp(post.created_at, ZoneInfo(m.timezone))
    in_window = local.weekday() in m.good_days and m.good_hours[0] <= local.hour < m.good_hours[1]
    kind = post_format(post)
    impressions = (
        followers_at(post.network, post.account_id, post.created_at)
        * m.reach_share
        * math.exp(rng.gauss(0, m.noise))
    )
    rate = (
        m.base_rate
        * (m.good_lift if in_window else 1.0)
        * m.format_effects.get(kind, 1.0)
        * _band(m.length_effects, len(post.text))
        * _band(m.hashtag_effects, len(HASHTAG.findall(post.text)))
        * math.exp(rng.gauss(0, m.noise))
    )
    engagements = impressions * rate
    totals = {
        "impressions": impressions,
        "reach": impressions * 0.82,
        "likes": engagements * 0.7,
        "comments": engagements * 0.1,
        "shares": engagements * 0.12,
        "saves": engagements * 0.08,
        "clicks": impressions * 0.012,
        "video_views": impressions * 0.6 if kind == "video" else 0,
    }
    return {name: int(value) for name, value in totals.items()}


def metrics_at(post: Post, now: float) -> dict[str, int]:
    """The post's numbers `now`: its lifetime totals times how far it has settled. Parts are
    counted separately (likes, comments, shares, saves), so they add up as the network's would."""
    age_hours = max(now - post.created_at, 0) / 3600
    settled = 1 - math.exp(-age_hours / SETTLE_HOURS)
    return {name: int(value * settled) for name, value in lifetime(post).items()}


def followers_at(network: str, account_id: str, moment: float) -> int:
    m = model(network, account_id)
    days = (moment - EPOCH) / 86_400
    return max(int(m.audience + m.growth_per_day * days), 0)
