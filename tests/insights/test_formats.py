"""Which formats, caption lengths and hashtag counts work for an account, on insights with
known rates."""

from __future__ import annotations

import random

import pytest

from connections.models import ConnectedAccount
from insights.formats import format_report
from tests.factories import WorkspaceFactory
from tests.insights.rated import Rated, add_rated, noisy

BASE = 0.04
FORMATS = {"video": 1.6, "carousel": 1.3, "image": 1.0, "text": 0.7}
LENGTHS = {40: 0.9, 150: 1.15, 300: 1.0, 900: 0.8}
HASHTAGS = {0: 0.95, 2: 1.1, 6: 1.0, 15: 0.75}


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="roast", timezone="Europe/Paris")


def account(workspace, platform: str = "instagram", external_id: str = "1") -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace, platform=platform, external_id=external_id, display_name="Roast"
    )


def history(seed: int, count: int) -> list[Rated]:
    """Posts cycling through every format, caption length and hashtag count, independently."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        kind = list(FORMATS)[i % 4]
        length = list(LENGTHS)[(i // 4) % 4]
        tags = list(HASHTAGS)[(i // 16) % 4]
        rate = BASE * FORMATS[kind] * LENGTHS[length] * HASHTAGS[tags]
        rows.append(Rated(i % 7, 9 + i % 10, noisy(rng, rate), kind, length, tags))
    return rows


def by_label(report, dimension: str) -> dict:
    return {e.label: e for e in report.effects if e.dimension == dimension}


def test_format_length_and_hashtag_effects_are_recovered_in_order(workspace):
    mine = account(workspace)
    add_rated(mine, history(1, 128))

    report = format_report(mine)

    assert (report.source, report.posts, report.needed) == ("account", 128, 30)
    assert report.message == "Based on 128 posts of this account."
    formats = by_label(report, "format")
    ordered = sorted(formats.values(), key=lambda e: e.effect, reverse=True)
    assert [e.label for e in ordered] == ["Video", "Carousel", "Image", "Text only"]
    assert all(e.posts == 32 for e in ordered)
    assert formats["Video"].effect == pytest.approx(0.4, abs=0.12)  # 1.6 / mean(1.6, 1.3, 1, .7)
    assert formats["Text only"].effect < -0.2
    assert formats["Video"].confidence == formats["Text only"].confidence == "high"

    lengths = by_label(report, "caption_length")
    assert list(lengths) == [
        "Up to 80 characters",
        "81–200 characters",
        "201–500 characters",
        "Over 500 characters",
    ]
    best_length = max(lengths.values(), key=lambda e: e.effect)
    worst_length = min(lengths.values(), key=lambda e: e.effect)
    assert (best_length.label, worst_length.label) == ("81–200 characters", "Over 500 characters")

    hashtags = by_label(report, "hashtags")
    assert [e.posts for e in hashtags.values()] == [32, 32, 32, 32]
    assert max(hashtags.values(), key=lambda e: e.effect).label == "1–3 hashtags"
    assert min(hashtags.values(), key=lambda e: e.effect).label == "More than 10 hashtags"


def test_band_edges_are_inclusive(workspace):
    mine = account(workspace)
    rows = [Rated(0, 9, BASE, "image", length, tags) for length, tags in ((80, 0), (81, 1))]
    rows += [Rated(0, 9, BASE, "image", length, tags) for length, tags in ((200, 3), (201, 4))]
    rows += [Rated(0, 9, BASE, "image", length, tags) for length, tags in ((500, 10), (501, 11))]
    add_rated(mine, rows * 5)

    report = format_report(mine)

    assert [e.posts for e in report.effects if e.dimension == "caption_length"] == [5, 10, 10, 5]
    assert [e.posts for e in report.effects if e.dimension == "hashtags"] == [5, 10, 10, 5]


def test_a_format_with_few_posts_is_shrunk_and_low_confidence(workspace):
    rng = random.Random(2)
    mine = account(workspace)
    rows = [Rated(0, 9, noisy(rng, BASE), "image") for _ in range(40)]
    rows.append(Rated(0, 9, BASE * 3, "video"))  # one video that did very well
    add_rated(mine, rows)

    video = by_label(format_report(mine), "format")["Video"]

    assert video.posts == 1
    assert video.confidence == "low"
    assert 0 < video.effect < 1.0  # well under the raw +190 %
    assert by_label(format_report(mine), "format")["Carousel"].rate is None


def test_thin_history_falls_back_to_the_network_then_to_none(workspace):
    mine = account(workspace)
    add_rated(mine, history(3, 12))

    report = format_report(mine)
    assert (report.source, report.posts) == ("none", 12)
    assert report.message == "12 posts so far; suggestions start at 30."
    assert all(e.rate is None and e.effect is None for e in report.effects)

    add_rated(account(workspace, external_id="2"), history(4, 64))
    report = format_report(mine)
    assert report.source == "network"
    assert report.message.endswith(
        "Based on 76 posts of your Instagram accounts (the network pattern of this workspace) "
        "until this account has 30."
    )
    assert sum(e.posts for e in report.effects if e.dimension == "format") == 76


def test_one_query_whatever_the_history(workspace, django_assert_num_queries):
    mine = account(workspace)
    add_rated(mine, history(5, 40))
    with django_assert_num_queries(1):
        format_report(mine)
    add_rated(mine, history(6, 400))
    with django_assert_num_queries(1):
        format_report(mine)
