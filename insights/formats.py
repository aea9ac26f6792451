"""Which kinds of post work for an account: its format (text, image, video, carousel), caption
length and hashtag count, each as an effect on the engagement rate relative to the account's
average, shrunk like the best times (insights/shrinkage.py, k estimated per dimension) so a
band with three posts does not claim +80 %.

Each dimension is measured on its own (all posts of a format, whatever their caption): an
account that always posts its videos at its best hour credits the hour to the format. Same
basis as the best times: the account's posts from MIN_POSTS on, before that the network's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from connections.models import ConnectedAccount

from .history import MIN_POSTS, basis
from .models import PostInsight
from .shrinkage import Tally, prior, tallies

# (upper bound, label), lowest first; the last band has no upper bound.
CAPTION_BANDS = (
    (80, "Up to 80 characters"),
    (200, "81–200 characters"),
    (500, "201–500 characters"),
    (None, "Over 500 characters"),
)
HASHTAG_BANDS = (
    (0, "No hashtags"),
    (3, "1–3 hashtags"),
    (10, "4–10 hashtags"),
    (None, "More than 10 hashtags"),
)
DIMENSIONS = (
    ("format", [(kind.value, kind.label) for kind in PostInsight.Format]),
    ("caption_length", list(enumerate(label for _, label in CAPTION_BANDS))),
    ("hashtags", list(enumerate(label for _, label in HASHTAG_BANDS))),
)


@dataclass(frozen=True)
class Effect:
    dimension: str  # "format" | "caption_length" | "hashtags"
    label: str
    posts: int
    rate: float | None  # shrunk engagement rate; None without posts
    effect: float | None  # rate / average − 1 (0.23 is +23 %)
    confidence: str  # "low" | "medium" | "high": see shrinkage.Prior.confidence


@dataclass(frozen=True)
class FormatReport:
    source: str  # "account" | "network" | "none"
    posts: int  # the account's own posts with a rate (its progress toward `needed`)
    needed: int
    effects: list[Effect]  # every band of every dimension, in DIMENSIONS order
    message: str


def format_report(account: ConnectedAccount) -> FormatReport:
    """One aggregate query (two while it falls back to the network)."""
    found = basis(account, _by_kind)
    by_dimension: dict[str, dict[object, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for (kind, length, hashtags), tally in found.groups.items():
        for dimension, value in (
            ("format", kind),
            ("caption_length", length),
            ("hashtags", hashtags),
        ):
            by_dimension[dimension][value] += tally
    effects = []
    for dimension, bands in DIMENSIONS:
        groups = by_dimension[dimension]
        base = prior(groups.values())
        for value, label in bands:
            tally = groups.get(value, Tally())
            if base is None or not tally.n:
                effects.append(Effect(dimension, label, 0, None, None, "low"))
                continue
            rate = base.shrink(tally)
            effect = rate / base.mean - 1 if base.mean else None
            effects.append(
                Effect(dimension, label, int(tally.n), rate, effect, base.confidence(tally))
            )
    return FormatReport(found.source, found.own_posts, MIN_POSTS, effects, found.message)


def _by_kind(insights: QuerySet) -> dict[tuple, Tally]:
    return tallies(
        insights.annotate(
            length_band=_band("caption_length", CAPTION_BANDS),
            hashtag_band=_band("hashtag_count", HASHTAG_BANDS),
        ),
        "format",
        "length_band",
        "hashtag_band",
    )


def _band(field: str, bands: tuple) -> Case:
    """The index of the band `field` falls in, computed by the database."""
    return Case(
        *(
            When(**{f"{field}__lte": upper}, then=Value(index))
            for index, (upper, _) in enumerate(bands)
            if upper is not None
        ),
        default=Value(len(bands) - 1),
        output_field=IntegerField(),
    )
