"""Per-account publishing budgets in Redis: counted atomically across threads, per account,
closed by a platform's refusal until its reset."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from connections import throttle

BUDGET = throttle.Budget(posts=100, seconds=900)


def test_two_hundred_concurrent_takes_grant_exactly_the_budget():
    with ThreadPoolExecutor(32) as pool:
        slots = list(pool.map(lambda _: throttle.take(1, BUDGET), range(200)))

    assert sum(slot.granted for slot in slots) == 100
    now = datetime.now(tz=UTC)
    assert all(now < s.reset_at <= now + timedelta(seconds=901) for s in slots)


def test_accounts_have_their_own_windows():
    for _ in range(100):
        assert throttle.take(2, BUDGET).granted
    assert not throttle.take(2, BUDGET).granted
    assert throttle.take(3, BUDGET).granted


def test_a_platform_refusal_closes_the_budget_until_its_reset():
    until = datetime.now(tz=UTC) + timedelta(seconds=120)
    assert throttle.take(4, BUDGET).granted

    throttle.close(4, BUDGET, until)

    refused = throttle.take(4, BUDGET)
    assert not refused.granted
    assert abs((refused.reset_at - until).total_seconds()) < 2


def test_a_reset_in_the_past_closes_nothing():
    throttle.close(5, BUDGET, datetime.now(tz=UTC) - timedelta(seconds=1))
    assert throttle.take(5, BUDGET).granted
