"""End to end: a pattern planted in the emulator's hidden engagement model, a history of X posts
published over ten weeks and read through the real collection path (enrolment, the collector,
X's post lookup), and the recommender finding the planted window and format order."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from insights import collection, enrolment
from insights.best_times import best_times, suggest_time
from insights.formats import format_report
from insights.models import PostInsight
from tests.connections.consent import callback_path, consent
from tests.insights.connected import plant
from tests.insights.history import published

# The planted pattern: Tuesdays and Thursdays 13:00-15:00 (the workspace's zone), and formats.
GOOD_DAYS, GOOD_HOURS = [1, 3], [13, 15]
FORMAT_EFFECTS = {"video": 1.6, "carousel": 1.3, "image": 1.0, "text": 0.7}
MEDIA = {"text": (), "image": ("image",), "video": ("video",), "carousel": ("image", "image")}
# Where the account habitually posts (weekday, hour): four of them inside the window.
SLOTS = [
    (1, 13), (1, 14), (3, 13), (3, 14),
    (0, 9), (0, 17), (1, 10), (2, 11), (2, 16), (3, 9),
    (3, 18), (4, 10), (4, 15), (5, 12), (6, 11), (6, 19),
]  # fmt: skip
WEEKS, PER_WEEK = 10, 8


@pytest.fixture
def x_account(client, owner, workspace, emulator):
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=[workspace.slug, "x"]))
    assert client.get(callback_path(consent(start["Location"]))).status_code == 302
    account = workspace.connected_accounts.get(platform="x")
    plant(
        emulator,
        "x",
        account.external_id,
        timezone=workspace.timezone,
        audience=50_000,
        reach_share=0.3,
        good_days=GOOD_DAYS,
        good_hours=GOOD_HOURS,
        good_lift=1.8,
        format_effects=FORMAT_EFFECTS,
        length_effects=[[100_000, 1.0]],
        hashtag_effects=[[1_000, 1.0]],
        noise=0.15,
    )
    return account


def history(emulator, account, weeks: int = WEEKS, per_week: int = PER_WEEK) -> list[datetime]:
    """Posts over the last `weeks` whole weeks, `per_week` of the habitual slots each week
    (every slot every other week) and the formats in turn, made on X through the emulator and
    in Mixora as published targets with the matching media; their times."""
    zone = ZoneInfo(account.workspace.timezone)
    today = timezone.now().astimezone(zone).date()
    first_monday = today - timedelta(days=today.weekday() + 7 * (weeks + 1))
    moments = []
    for week in range(weeks):
        for j in range(per_week):
            n = week * per_week + j
            weekday, hour = SLOTS[n % len(SLOTS)]
            kind = list(FORMAT_EFFECTS)[(week + j) % 4]
            day = first_monday + timedelta(weeks=week, days=weekday)
            local = datetime.combine(day, time(hour, (7 * n) % 50), zone)
            moment = local.astimezone(UTC)
            text = f"Post {n}: what is brewing this week"
            post = emulator.control(
                "POST",
                "posts",
                {
                    "network": "x",
                    "account_id": account.external_id,
                    "text": text,
                    "created_time": moment.isoformat(),
                    "format": kind,
                },
            )
            published(
                account,
                platform_post_id=post["id"],
                published_at=moment,
                text=text,
                media_kinds=MEDIA[kind],
            )
            moments.append(moment)
    return moments


def collect_over_a_month(emulator) -> None:
    """Enrol, then read whatever is due now, two days on and 31 days on (moving the emulator's
    clock with Mixora's)."""
    enrolment.enrol_published()
    now = timezone.now()
    for days in (0, 2, 31):
        emulator.control("POST", "clock", {"offset": days * 86_400})
        outcome = collection.collect_due(now + timedelta(days=days))
        assert outcome.failed == outcome.deferred == 0


def test_the_recommender_recovers_the_planted_window_and_format_order(emulator, x_account):
    history(emulator, x_account)
    collect_over_a_month(emulator)

    rated = PostInsight.objects.filter(account=x_account, engagement_rate__isnull=False)
    assert rated.count() == WEEKS * PER_WEEK
    assert emulator.requests("x", "x.tweets_lookup")  # the numbers are X's answers

    found = best_times(x_account)
    assert found.source == "account"
    assert found.message == "Based on 80 posts of this account."
    first, second = found.best[:2]
    for cell in (first, second):
        assert cell.weekday in GOOD_DAYS
        assert GOOD_HOURS[0] <= cell.hour < GOOD_HOURS[1]
        assert cell.confidence == "high"
    assert {first.weekday, second.weekday} == set(GOOD_DAYS)

    when, _ = suggest_time(x_account, timezone.now())
    local = when.astimezone(ZoneInfo(x_account.workspace.timezone))
    assert local.weekday() in GOOD_DAYS
    assert GOOD_HOURS[0] <= local.hour < GOOD_HOURS[1]

    report = format_report(x_account)
    formats = [e for e in report.effects if e.dimension == "format"]
    ranked = sorted(formats, key=lambda e: e.effect, reverse=True)
    assert [e.label for e in ranked] == ["Video", "Carousel", "Image", "Text only"]
    assert [e.posts for e in formats] == [20, 20, 20, 20]
    assert ranked[0].confidence == ranked[-1].confidence == "high"


def test_a_thin_history_is_not_enough_data(emulator, x_account):
    history(emulator, x_account, weeks=3, per_week=4)
    collect_over_a_month(emulator)

    found = best_times(x_account)
    assert (found.source, found.posts, found.best) == ("none", 12, [])
    assert found.message == "12 posts so far; suggestions start at 30."
    assert suggest_time(x_account, timezone.now()) is None
    report = format_report(x_account)
    assert (report.source, report.message) == ("none", found.message)
