"""The analytics pages as a viewer sees them, on a desktop and on a 390 px phone: overview
cards against the previous period, SVG charts with their tables, filters, top posts, a post's
readings over time, and the CSV download."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory
from tests.insights.pages_seed import Planned, add_followers, add_posts
from tests.insights.rated import Rated, add_rated, noisy

pytestmark = pytest.mark.django_db(transaction=True)

TZ = "Europe/Lisbon"
CAPTIONS = [
    "New single-origin from Huila is in: bright, floral, a little jammy #coffee",
    "Behind the scenes at the roastery this morning",
    "Latte art Friday: show us yours",
    "Our cold brew recipe, step by step",
    "Meet Ana, our head roaster",
    "Weekend hours: open 8 to 4",
]


def _history(workspace) -> dict[str, ConnectedAccount]:
    accounts = {
        platform: ConnectedAccount.objects.create(
            workspace=workspace, platform=platform, external_id=f"{platform}-1", display_name=name
        )
        for platform, name in (
            ("instagram", "roastery.co"),
            ("x", "Roastery"),
            ("youtube", "Roastery TV"),
        )
    }
    rng = random.Random(7)
    today = timezone.now().astimezone(ZoneInfo(TZ)).date()
    for n, account in enumerate(accounts.values()):
        planned = []
        for days_ago in range(60):
            if rng.random() < 0.55:
                seen = int(rng.lognormvariate(7.2 - n * 0.6, 0.5) * (1.25 if days_ago < 30 else 1))
                planned.append(
                    Planned(
                        today - timedelta(days=days_ago),
                        hour=rng.choice([8, 12, 13, 18, 20]),
                        impressions=seen,
                        reach=int(seen * 0.8),
                        engagements=int(seen * rng.uniform(0.02, 0.09)),
                        text=rng.choice(CAPTIONS),
                        format=rng.choice(["image", "video", "carousel", "text"]),
                    )
                )
        add_posts(account, planned)
        start = 4000 // (n + 1)
        add_followers(
            account,
            {
                today - timedelta(days=d): start + (60 - d) * (12 - 3 * n) + rng.randint(-8, 8)
                for d in range(60)
            },
        )
    return accounts


def _log_in(new_page, app: str, user, width: int, height: int):
    page = new_page(width, height)
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Analytics")).to_be_attached()
    decline_cookies(page)
    return page


@pytest.fixture
def viewer_page(app, new_page):
    workspace = WorkspaceFactory(name="Roastery", slug="roastery", timezone=TZ)
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER).user
    accounts = _history(workspace)

    def open_as_viewer(width: int = 1280, height: int = 900):
        return _log_in(new_page, app, viewer, width, height)

    return open_as_viewer, workspace, accounts


def test_a_viewer_reads_analytics_on_a_desktop(viewer_page, shot, app):
    open_page, workspace, accounts = viewer_page
    page = open_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    for label in ("Posts", "Impressions", "Reach", "Engagements", "Engagement rate", "Followers"):
        expect(page.locator(".kpi__label", has_text=label).first).to_be_visible()
    expect(page.locator(".kpi__change").first).to_contain_text("vs previous 30 days")
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("#top-posts tbody tr")).to_have_count(10)
    shot(page, "1-overview")

    # The chart's numbers are in a table behind "Show table".
    page.locator(".chart-table summary").first.click()
    expect(page.locator(".chart-table table").first).to_be_visible()
    expect(page.locator(".chart-table tbody tr").first).to_be_visible()

    page.get_by_role("link", name="7 days").click()
    expect(page.locator("#period-summary")).to_contain_text("against")
    page.locator("#f-network").select_option(label="YouTube")
    expect(page).to_have_url(re.compile(r"period=7.*network=youtube"))
    expect(page.locator("#networks tbody tr")).to_have_count(1)
    shot(page, "2-youtube-7-days")

    page.get_by_text("Custom", exact=True).click()
    today = timezone.now().astimezone(ZoneInfo(TZ)).date()
    page.get_by_label("From", exact=True).fill(f"{today - timedelta(days=13):%Y-%m-%d}")
    page.get_by_label("To", exact=True).fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".kpi__change").first).to_contain_text("vs previous 14 days")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    assert header[:3] == ["published", "network", "account"]
    assert rows
    assert {row[1] for row in rows} == {"YouTube"}

    page.goto(f"{app}/w/roastery/analytics/?period=30")
    page.get_by_role("link", name="Metrics over time").first.click()
    expect(page.get_by_role("heading", name="Over time")).to_be_visible()
    expect(page.locator("#readings tbody tr")).to_have_count(3)
    shot(page, "3-post-metrics")

    page.get_by_role("link", name="Open post").click()
    expect(page.get_by_role("link", name="Metrics over time")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_analytics_on_a_phone(viewer_page, shot, app):
    open_page, workspace, accounts = viewer_page
    page = open_page(390, 844)

    page.goto(f"{app}/w/roastery/analytics/")
    decline_cookies(page)
    expect(page.locator("svg.chart").first).to_be_visible()
    # Nothing wider than the screen: the tables scroll inside their cards.
    shot(page, "1-overview-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    insight = accounts["instagram"].post_insights.order_by("-published_at").first()
    page.goto(f"{app}/w/roastery/analytics/posts/{insight.pk}/")
    expect(page.locator("svg.chart")).to_be_visible()
    shot(page, "2-post-metrics-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_an_editor_reads_best_times_and_adds_them_as_slots(app, new_page, shot):
    workspace = WorkspaceFactory(name="Roastery", slug="roastery", timezone=TZ)
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="ig-1", display_name="roastery.co"
    )
    rng = random.Random(3)
    habits = [(1, 13), (3, 14), (0, 9), (0, 18), (2, 11), (4, 16), (5, 10), (6, 20), (3, 8)]
    add_rated(
        account,
        [
            Rated(
                wd,
                h,
                noisy(rng, 0.04 * (1.9 if (wd, h) in {(1, 13), (3, 14)} else 1.0)),
                format=("image", "video", "carousel", "text")[i % 4],
                caption_length=rng.choice([60, 150, 300, 700]),
                hashtag_count=rng.choice([0, 2, 5, 12]),
            )
            for i in range(120)
            for wd, h in [habits[i % len(habits)]]
        ],
    )
    page = _log_in(new_page, app, editor, 1280, 900)

    page.get_by_role("link", name="Analytics").click()
    page.get_by_role("link", name="Best times").click()
    expect(page.get_by_role("heading", name="Best times and formats")).to_be_visible()
    expect(page.locator("#heatmap tbody tr")).to_have_count(7)
    expect(page.locator("#best-windows")).to_contain_text("Tuesdays at 13:00")
    expect(page.locator("#formats")).to_contain_text("Carousel")
    shot(page, "1-best-times")

    page.get_by_role("button", name="Add as posting slots").click()
    expect(page.locator(".toast, .alert").first).to_contain_text("Added")
    assert account.slots.filter(weekday=1, time="13:00").exists()

    phone = _log_in(new_page, app, editor, 390, 844)
    phone.goto(f"{app}/w/roastery/analytics/best-times/?account={account.pk}")
    expect(phone.locator("#heatmap")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(phone, "2-best-times-phone")
