"""The analytics pages: who may read them, what they compute, what they explain, the CSV, and
that their query count does not grow with the posts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from connections.platforms.registry import network
from insights import charts
from insights.models import PostInsight
from insights.overview import buckets
from insights.queries import Change, Period
from tests.factories import WorkspaceFactory
from tests.insights.pages_seed import Planned, add_followers, add_posts

TZ = "America/New_York"


@pytest.fixture
def ws(db):
    return WorkspaceFactory(name="Roastery", slug="roastery", timezone=TZ)


@pytest.fixture
def viewer(ws, make_member):
    return make_member(ws, Role.VIEWER)


@pytest.fixture
def x_account(ws):
    return ConnectedAccount.objects.create(
        workspace=ws, platform="x", external_id="x-1", display_name="Roastery on X"
    )


@pytest.fixture
def yt_account(ws):
    return ConnectedAccount.objects.create(
        workspace=ws, platform="youtube", external_id="yt-1", display_name="Roastery TV"
    )


@pytest.fixture
def other(db, make_member):
    """Another workspace with a post of its own, and its owner."""
    workspace = WorkspaceFactory(name="Rival", slug="rival", timezone=TZ)
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-rival", display_name="Rival on X"
    )
    (insight,) = add_posts(account, [Planned(today(), text="Rival secret launch")])
    return workspace, account, insight, make_member(workspace, Role.OWNER)


def today() -> date:
    return timezone.now().astimezone(ZoneInfo(TZ)).date()


def url(name: str, *args: object, query: str = "") -> str:
    return reverse(name, args=["roastery", *args]) + (f"?{query}" if query else "")


def card(response, metric: str):
    return next(c for c in response.context["cards"] if c.key == metric)


# --- who may read -------------------------------------------------------------------------


def test_a_viewer_reads_the_overview_and_a_posts_metrics(client, viewer, x_account):
    (insight,) = add_posts(x_account, [Planned(today(), text="Cold brew is back")])
    client.force_login(viewer)

    page = client.get(url("analytics"))
    detail = client.get(url("analytics_post", insight.pk))

    assert page.status_code == 200
    assert "Cold brew is back" in page.content.decode()
    assert detail.status_code == 200
    assert [row[0] for row in detail.context["rows"]] == sorted(
        (r.taken_at for r in insight.readings.all()), reverse=True
    )


def test_the_nav_shows_analytics_to_every_member(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("workspace_dashboard", args=["roastery"]))
    assert f'href="{url("analytics")}"' in page.content.decode()


def test_outsiders_get_404_and_another_workspaces_insight_is_404(client, viewer, other):
    _, _, rival_insight, rival_owner = other
    client.force_login(rival_owner)
    assert client.get(url("analytics")).status_code == 404
    assert client.get(url("analytics_export")).status_code == 404

    client.force_login(viewer)
    assert client.get(url("analytics_post", rival_insight.pk)).status_code == 404


def test_filters_cannot_reach_another_workspaces_account(client, viewer, x_account, other):
    _, rival_account, _, _ = other
    add_posts(x_account, [Planned(today(), text="Our own post")])
    client.force_login(viewer)

    page = client.get(url("analytics", query=f"account={rival_account.pk}"))
    export = client.get(url("analytics_export", query=f"account={rival_account.pk}"))
    body = b"".join(export.streaming_content).decode()

    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert "Rival" not in page.content.decode()
    assert "Rival" not in body
    assert "Our own post" in body  # refused filters fall back to this workspace's accounts


# --- the numbers --------------------------------------------------------------------------


def test_period_arithmetic():
    period = Period(date(2026, 3, 1), date(2026, 3, 7))
    assert period.days == 7
    assert period.previous == Period(date(2026, 2, 22), date(2026, 2, 28))
    assert Period.last(30, date(2026, 3, 30)) == Period(date(2026, 3, 1), date(2026, 3, 30))
    assert Change(150, 100).percent == 50
    assert Change(150, 100).direction == "up"
    assert Change(75, 100).percent == -25
    assert Change(75, 100).direction == "down"
    assert Change(5, 0).percent is None  # nothing to compare with
    assert Change(None, 10).percent is None


def test_the_overview_compares_with_the_previous_period(client, viewer, x_account, yt_account):
    now = today()
    add_posts(
        x_account,
        [
            Planned(now, impressions=1000, reach=900, engagements=100),
            Planned(now - timedelta(days=6), impressions=500, reach=400, engagements=50),
            # the previous 7 days
            Planned(now - timedelta(days=7), impressions=1000, reach=1000, engagements=20),
            # before both: not counted
            Planned(now - timedelta(days=14), impressions=99_999, engagements=9_999),
        ],
    )
    add_posts(yt_account, [Planned(now - timedelta(days=1), impressions=500, engagements=50)])
    add_followers(x_account, {now - timedelta(days=8): 900, now - timedelta(days=7): 1000})
    add_followers(x_account, {now - timedelta(days=2): 1150})
    add_followers(yt_account, {now - timedelta(days=3): 100})
    client.force_login(viewer)

    page = client.get(url("analytics", query="period=7"))

    assert page.status_code == 200
    assert card(page, "posts").value == "3"
    assert card(page, "posts").change.percent == 200
    assert card(page, "impressions").value == "2,000"
    assert card(page, "impressions").change.percent == 100
    assert card(page, "engagements").value == "200"
    assert card(page, "engagements").change.percent == 900
    # The average of the three posts' rates (10 %, 10 %, 10 %) against 2 %.
    assert card(page, "rate").value == "10.00%"
    assert card(page, "rate").change.percent == pytest.approx(400)
    # Followers: 1,150 on X (carried forward to today) + 100 on YouTube, against 1,000.
    assert card(page, "followers").value == "1,250"
    assert card(page, "followers").change.percent == pytest.approx(25)
    assert "+250 since the previous period ended" in page.content.decode()
    daily = page.context["daily_chart"]
    assert daily.rows[-1][1:] == ["1,000", "100"]
    assert daily.rows[0][1:] == ["500", "50"]
    assert len(daily.rows) == 7
    followers = page.context["followers_chart"].rows
    assert [row[1] for row in followers] == ["1,000"] * 3 + ["1,100"] + ["1,250"] * 3
    networks = {row.platform: row for row in page.context["networks"]}
    assert networks["x"].totals.posts == 2
    assert networks["youtube"].totals.impressions == 500


def test_filters_narrow_to_a_network_and_an_account(client, viewer, x_account, yt_account):
    add_posts(x_account, [Planned(today(), text="On X", engagements=10)])
    add_posts(yt_account, [Planned(today(), text="On YouTube", engagements=70)])
    client.force_login(viewer)

    by_network = client.get(url("analytics", query="network=youtube"))
    by_account = client.get(url("analytics", query=f"account={x_account.pk}"))

    assert card(by_network, "engagements").value == "70"
    assert [i.excerpt for i in by_network.context["top_posts"]] == ["On YouTube"]
    assert card(by_account, "engagements").value == "10"


def test_a_custom_period_and_its_refusals(client, viewer, x_account):
    add_posts(x_account, [Planned(date(2026, 2, 10), engagements=33)])
    client.force_login(viewer)

    chosen = client.get(url("analytics", query="period=custom&start=2026-02-01&end=2026-02-28"))
    backwards = client.get(url("analytics", query="period=custom&start=2026-02-28&end=2026-02-01"))

    assert chosen.context["period"] == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert card(chosen, "engagements").value == "33"
    assert card(chosen, "engagements").change.percent is None
    assert backwards.status_code == 400
    assert "The period must start before it ends." in backwards.content.decode()


def test_top_posts_by_engagements_or_rate(client, viewer, x_account):
    add_posts(
        x_account,
        [
            Planned(today(), text="Many people, few likes", impressions=10_000, engagements=200),
            Planned(today(), text="Small but loved", impressions=100, engagements=30),
            Planned(today(), text="Not read yet", impressions=None, reach=None, engagements=None),
        ],
    )
    client.force_login(viewer)

    by_engagements = client.get(url("analytics"))
    by_rate = client.get(url("analytics", query="sort=rate"))

    # A post whose numbers are not read yet does not rank.
    assert [i.excerpt for i in by_engagements.context["top_posts"]] == [
        "Many people, few likes",
        "Small but loved",
    ]
    assert [i.excerpt for i in by_rate.context["top_posts"]] == [
        "Small but loved",
        "Many people, few likes",
    ]
    html = by_engagements.content.decode()
    top = by_engagements.context["top_posts"][0]
    assert reverse("post_detail", args=["roastery", top.target.post_id]) in html
    assert url("analytics_post", top.pk) in html


def test_the_page_explains_every_metric_a_network_does_not_provide(
    client, viewer, x_account, yt_account
):
    client.force_login(viewer)
    html = client.get(url("analytics")).content.decode()

    for platform in ("x", "youtube"):
        net = network(platform)
        missing = [m for m in charts_metric_names() if m not in net.metrics_fields]
        section = html.split(f'id="not-provided-{platform}"')[1].split("</dl>")[0]
        for metric in missing:
            reason = net.metrics_notes.get(metric) or f"{net.label} does not give apps this"
            assert escape(reason) in section, (platform, metric)


def charts_metric_names() -> list[str]:
    from connections.platforms.network import METRIC_FIELDS

    return list(METRIC_FIELDS)


def escape(text: str) -> str:
    from django.utils.html import escape as django_escape

    return str(django_escape(text))


# --- query counts -------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, path
    return len(captured)


def test_query_counts_do_not_grow_with_the_posts(client, viewer, x_account, yt_account):
    now = today()

    def history(count: int, start: int) -> None:
        for account in (x_account, yt_account):
            days = [now - timedelta(days=(start + n) % 90) for n in range(count)]
            add_posts(account, [Planned(day, hour=n % 24) for n, day in enumerate(days)])
            add_followers(
                account,
                {
                    now - timedelta(days=d): 1000 + d
                    for d in range(start % 90, 90, 7)
                    if not account.follower_counts.filter(day=now - timedelta(days=d)).exists()
                },
            )

    history(5, 0)  # 10 posts
    client.force_login(viewer)
    insight = PostInsight.objects.filter(account=x_account).first()
    pages = [
        url("analytics", query="period=90"),
        url("analytics", query="period=90&sort=rate&network=x"),
        url("analytics_post", insight.pk),
        url("analytics_export", query="period=90"),
    ]
    _queries(client, pages[0])  # the session's first request loads more (the switcher, …)
    small = [_queries(client, page) for page in pages]

    history(95, 5)  # 200 posts
    large = [_queries(client, page) for page in pages]

    assert large == small
    assert max(small) <= 15


# --- the CSV ------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_post_and_account_and_defuses_formulas(
    client, viewer, x_account, yt_account
):
    x_account.display_name = "@roastery"
    x_account.save()
    add_posts(
        x_account,
        [
            Planned(today(), hour=9, text='=HYPERLINK("http://evil.test","click")'),
            Planned(today() - timedelta(days=40), text="Too old for the period"),
        ],
    )
    add_posts(
        yt_account,
        [Planned(today(), hour=18, text="+1 for our new blend", impressions=None, reach=400)],
    )
    client.force_login(viewer)

    response = client.get(url("analytics_export", query="period=7"))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, *body = rows
    assert header[:5] == ["published", "network", "account", "format", "caption"]
    assert header[-2:] == ["engagement rate (%)", "permalink"]
    assert len(body) == 2
    first, second = body
    assert first[0] == f"{today():%Y-%m-%d} 09:00"  # the workspace's zone
    assert first[1:4] == ["X", "'@roastery", "Image"]
    assert first[4] == '\'=HYPERLINK("http://evil.test","click")'
    assert first[header.index("impressions")] == "1000"
    assert first[header.index("engagement rate (%)")] == "5.00"
    assert second[1] == "YouTube"
    assert second[4] == "'+1 for our new blend"
    assert second[header.index("impressions")] == ""  # not given
    assert second[header.index("engagement rate (%)")] == "12.50"  # per person reached
    assert second[-1].startswith("https://example.test/youtube/")


# --- a post's metrics over time -----------------------------------------------------------


def test_the_post_page_links_to_its_metrics_once_they_exist(client, viewer, x_account):
    (insight,) = add_posts(x_account, [Planned(today())])
    post_id = insight.target.post_id
    client.force_login(viewer)
    link = url("analytics_post", insight.pk)

    post_page = reverse("post_detail", args=["roastery", post_id])

    assert link in client.get(post_page).content.decode()
    insight.delete()
    assert link not in client.get(post_page).content.decode()


def test_the_readings_chart_is_accessible(client, viewer, x_account):
    (insight,) = add_posts(x_account, [Planned(today(), impressions=900, engagements=30)])
    client.force_login(viewer)

    html = client.get(url("analytics_post", insight.pk)).content.decode()

    assert 'role="img"' in html
    assert 'aria-labelledby="chart-readings-title chart-readings-desc"' in html
    assert "<summary>Show table</summary>" in html
    assert ">900</td>" in html
    assert ">300</td>" in html
    assert "style=" not in html.split('<main id="main"')[1]


# --- the charts themselves ----------------------------------------------------------------


def test_charts_escape_their_text_and_keep_their_numbers_in_a_table():
    chart = charts.time_chart(
        key="t",
        title="<script>alert(1)</script>",
        description="a & b",
        labels=["<b>Mon</b>", "Tue"],
        series=[charts.Series("Views", [1200, None]), charts.Series("Bars", [3, 4], style="bars")],
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert "a &amp; b" in chart.svg
    assert "&lt;b&gt;Mon&lt;/b&gt;" in chart.svg
    assert chart.headers == ["Day", "Views", "Bars"]
    assert chart.rows == [["<b>Mon</b>", "1,200", "3"], ["Tue", "–", "4"]]


def test_nice_ticks():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(95) == [0, 25, 50, 75, 100]
    assert charts.nice_ticks(1_234) == [0, 500, 1000, 1500]
    assert charts.compact(12_345) == "12.3K"
    assert charts.compact(2_000_000) == "2M"


def test_without_accounts_the_pages_say_what_to_do(client, viewer):
    client.force_login(viewer)

    overview = client.get(url("analytics"))
    best = client.get(url("analytics_best_times"))

    assert overview.status_code == 200
    assert "Connect an account to see how its posts do." in overview.content.decode()
    assert best.status_code == 200
    assert "Connect an account to learn its best times." in best.content.decode()


def test_long_periods_chart_weeks_and_short_ones_days():
    month = buckets(Period.last(30, date(2026, 12, 6)))
    assert len(month) == 30
    assert month[-1].label == "Sun 6 Dec 2026"
    year = buckets(Period.last(365, date(2026, 12, 6)))
    assert len(year) == 53
    assert year[0].label == "Week of Sun 7 Dec 2025"
    assert sum(len(b.days) for b in year) == 365
