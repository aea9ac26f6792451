"""Best times from an account's own history: shrinkage, smoothing, fallback and suggestions,
on insights with known rates."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from connections.models import ConnectedAccount
from insights import best_times as bt
from insights.best_times import best_times, suggest_time
from insights.shrinkage import Tally, prior
from tests.factories import WorkspaceFactory
from tests.insights.rated import Rated, add_rated, noisy

BASE = 0.04
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="roast", timezone="Europe/Paris")


def account(workspace, platform: str = "instagram", external_id: str = "1") -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace, platform=platform, external_id=external_id, display_name="Roast"
    )


def habitual(rng: random.Random, count: int, good: set[tuple[int, int]], lift: float = 1.8):
    """`count` posts over ten habitual hours of the week, the `good` ones lifted."""
    slots = [(1, 13), (3, 14), (0, 9), (0, 18), (2, 11), (4, 16), (5, 10), (6, 20), (2, 8), (4, 12)]
    return [
        Rated(wd, h, noisy(rng, BASE * (lift if (wd, h) in good else 1.0)))
        for wd, h in (slots[i % len(slots)] for i in range(count))
    ]


def tallies_of(rows: list[Rated]) -> dict[int, Tally]:
    """What the aggregate query gives, computed post by post."""
    found: dict[int, Tally] = {}
    for row in rows:
        index = row.weekday * 24 + row.hour
        found[index] = found.get(index, Tally()) + Tally(1, row.rate, row.rate * row.rate)
    return found


def test_a_thin_history_says_how_many_posts_and_suggests_nothing(workspace):
    mine = account(workspace)
    add_rated(mine, habitual(random.Random(1), 12, {(1, 13)}))

    found = best_times(mine)

    assert found.source == "none"
    assert (found.posts, found.needed) == (12, 30)
    assert found.message == "12 posts so far; suggestions start at 30."
    assert found.best == []
    assert found.average_rate is None
    assert len(found.cells) == 168
    assert all(c.rate is None for c in found.cells)
    assert suggest_time(mine, datetime(2026, 3, 2, 8, tzinfo=UTC)) is None


def test_until_thirty_posts_the_workspace_network_pattern_is_used_and_labelled(workspace):
    mine = account(workspace, external_id="1")
    sibling = account(workspace, external_id="2")
    add_rated(mine, habitual(random.Random(1), 12, {(1, 13)}))
    add_rated(sibling, habitual(random.Random(2), 40, {(1, 13)}))
    # Neither another network of the workspace nor another workspace counts.
    add_rated(
        account(workspace, platform="x", external_id="3"), habitual(random.Random(3), 50, set())
    )
    elsewhere = account(WorkspaceFactory(), external_id="1")
    add_rated(elsewhere, habitual(random.Random(4), 50, set()))

    found = best_times(mine)

    assert found.source == "network"
    assert found.posts == 12
    assert found.message == (
        "12 posts so far; suggestions start at 30. Based on 52 posts of your Instagram accounts "
        "(the network pattern of this workspace) until this account has 30."
    )
    assert sum(c.posts for c in found.cells) == 52
    assert (found.best[0].weekday, found.best[0].hour) == (1, 13)


def test_the_account_own_pattern_takes_over_at_thirty_posts(workspace):
    mine = account(workspace)
    add_rated(mine, habitual(random.Random(5), 30, {(3, 14)}))

    found = best_times(mine)

    assert found.source == "account"
    assert found.message == "Based on 30 posts of this account."
    assert (found.best[0].weekday, found.best[0].hour) == (3, 14)


def test_hours_with_one_lucky_post_do_not_beat_a_consistently_good_hour(workspace):
    rng = random.Random(6)
    # One ordinary post in each of 150 hours of the week: by luck alone the best of them has
    # about twice the usual rate. Thursday 14:00 is really 40 % better, over eight posts.
    rows = [Rated(i // 24, i % 24, noisy(rng, BASE, 0.3)) for i in range(150) if i != 3 * 24 + 14]
    rows += [Rated(3, 14, noisy(rng, BASE * 1.4, 0.3)) for _ in range(8)]
    mine = account(workspace)
    add_rated(mine, rows)
    luckiest = max((r for r in rows if (r.weekday, r.hour) != (3, 14)), key=lambda r: r.rate)
    steady = [r.rate for r in rows if (r.weekday, r.hour) == (3, 14)]
    assert luckiest.rate > sum(steady) / len(steady)  # raw means would pick the lucky hour

    found = best_times(mine)

    assert (found.best[0].weekday, found.best[0].hour) == (3, 14)
    lucky = found.cells[luckiest.weekday * 24 + luckiest.hour]
    assert lucky.posts == 1
    assert lucky.confidence == "low"
    assert lucky.rate < found.cells[3 * 24 + 14].rate


def test_a_planted_window_is_recovered_with_confidence(workspace):
    rng = random.Random(7)
    good = {(1, 13), (1, 14), (3, 13), (3, 14)}
    rows = [
        Rated(wd, h, noisy(rng, BASE * (1.8 if (wd, h) in good else 1.0)))
        for wd in range(7)
        for h in range(7, 22)
        for _ in range(2)
    ]
    mine = account(workspace)
    add_rated(mine, rows)

    found = best_times(mine)

    first, second = found.best[:2]  # one per day: 13:00 and 14:00 are one window
    assert {(first.weekday, first.hour), (second.weekday, second.hour)} <= good
    assert {first.weekday, second.weekday} == {1, 3}
    assert first.confidence == second.confidence == "high"
    assert found.cells[5 * 24 + 10].confidence != "high"  # an ordinary Saturday morning
    assert found.average_rate == pytest.approx(sum(r.rate for r in rows) / len(rows))


def test_neighbouring_hours_are_pooled_only_when_that_predicts_better(workspace):
    rng = random.Random(8)
    # Two-hour windows, one post per hour: pooling the neighbours helps.
    wide = [
        Rated(wd, h, noisy(rng, BASE * (1.8 if h in (13, 14) else 1.0)))
        for wd in range(7)
        for h in range(8, 20)
    ]
    wide_counts = tallies_of(wide)
    base = prior(wide_counts.values())
    assert bt._leave_one_out_error(wide_counts, base, 0.5) < bt._leave_one_out_error(
        wide_counts, base, 0.0
    )
    # Every other hour good, others bad: neighbours say the opposite, so no pooling.
    comb = [
        Rated(wd, h, noisy(rng, BASE * (2.0 if h % 2 else 0.6), 0.05))
        for wd in range(7)
        for h in range(8, 20)
        for _ in range(3)
    ]
    comb_counts = tallies_of(comb)
    base = prior(comb_counts.values())
    assert bt._leave_one_out_error(comb_counts, base, 0.0) < bt._leave_one_out_error(
        comb_counts, base, 0.5
    )


def test_leave_one_out_error_from_tallies_equals_the_post_by_post_sum():
    rows = [Rated(0, 9, 0.03), Rated(0, 9, 0.05), Rated(0, 10, 0.02), Rated(1, 9, 0.07)]
    rows += [Rated(0, 11, 0.04), Rated(0, 11, 0.06)]
    by_hour = tallies_of(rows)
    base = prior(by_hour.values())
    for weight in (0.0, 0.5):
        expected = 0.0
        for i, row in enumerate(rows):
            others = tallies_of(rows[:i] + rows[i + 1 :])
            index = row.weekday * 24 + row.hour
            pooled = bt._pooled(others, index, weight)
            expected += (row.rate - base.shrink(pooled)) ** 2
        assert bt._leave_one_out_error(by_hour, base, weight) == pytest.approx(expected)


def test_suggest_time_is_the_next_start_of_a_best_window_in_the_workspace_zone(workspace):
    mine = account(workspace)
    add_rated(mine, habitual(random.Random(9), 60, {(1, 13), (3, 14)}))
    found = best_times(mine)
    assert {(c.weekday, c.hour) for c in found.best[:2]} == {(1, 13), (3, 14)}

    # Monday 2 March 2026, 10:00 in Paris: Tuesday 13:00 comes first.
    when, used = suggest_time(mine, datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert when == datetime(2026, 3, 3, 13, tzinfo=PARIS)
    assert used.source == "account"
    # Tuesday 13:00 exactly is not "after" itself: Thursday 14:00 is next.
    when, _ = suggest_time(mine, datetime(2026, 3, 3, 13, tzinfo=PARIS))
    assert when == datetime(2026, 3, 5, 14, tzinfo=PARIS)
    # Across the change to summer time (29 March 2026), still 13:00 on the wall clock.
    when, _ = suggest_time(mine, datetime(2026, 3, 28, 12, tzinfo=PARIS))
    assert when == datetime(2026, 3, 31, 13, tzinfo=PARIS)
    assert when.utcoffset().total_seconds() == 2 * 3600


def test_a_window_that_falls_in_a_daylight_saving_gap_is_skipped_that_week(workspace):
    mine = account(workspace)
    ordinary = [Rated(wd, h, BASE) for wd, h in ((0, 9), (2, 11), (4, 16)) for _ in range(10)]
    add_rated(mine, ordinary + [Rated(6, 2, BASE * 3) for _ in range(10)])
    assert [(c.weekday, c.hour) for c in best_times(mine).best] == [(6, 2)]

    # Sunday 29 March 2026 02:00 does not exist in Paris: the window's next start is 5 April.
    when, _ = suggest_time(mine, datetime(2026, 3, 29, 0, 30, tzinfo=PARIS))
    assert when == datetime(2026, 4, 5, 2, tzinfo=PARIS)


def test_queries_do_not_grow_with_the_history(workspace, django_assert_num_queries):
    mine = account(workspace)
    add_rated(mine, habitual(random.Random(11), 40, {(1, 13)}))
    with django_assert_num_queries(1):
        best_times(mine)
    add_rated(mine, habitual(random.Random(12), 400, {(1, 13)}))
    with django_assert_num_queries(1):
        best_times(mine)
    thin = account(workspace, external_id="2")
    with django_assert_num_queries(2):  # its own posts, then the network's
        assert best_times(thin).source == "network"
