"""Benchmark of analytics: the pages over 100,000 published posts with 6 readings each and a year
of daily follower counts, and metrics collection of 10,000 due posts against the emulator.

    .venv/bin/python bench/insights.py
    .venv/bin/python bench/insights.py --reuse --part pages
    .venv/bin/python bench/insights.py --reuse --part collect --due 10000

Runs on its own PostgreSQL database (kept afterwards so `--reuse` can skip generating the data
again) and its own emulator on a free port, all on 127.0.0.1. bench/README.md says what is
measured. Shares its plumbing with bench/publish.py and bench/inbox.py."""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import psycopg
import requests

# This file is named like the insights app: the project's packages must come before bench/ on
# sys.path. bench/publish.py (imported next, found in bench/) puts the project first as well.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publish import (  # in bench/, this script's directory
    X_USER_ID,
    Emulator,
    drop_database,
    free_port,
    loopback,
    percentile,
    recreate_database,
    say,
    table,
    use_environment,
    with_database,
    x_grant,
)

if TYPE_CHECKING:
    from accounts.models import Workspace

MAIN_SLUG = "bench-insights"  # 100,000 posts: the timed workspace
SMALL_SLUG = "bench-insights-small"  # the same accounts with few posts: query counts compared
COLLECT_SLUG = "bench-collect"  # one X account whose due posts are read from the emulator
TZ = "Europe/Paris"
DATASET_TABLE = "bench_insights_dataset"  # what was generated, for --reuse
GOAL_MS = 50  # p95 of every page (issue 13)
# The accounts of the timed workspace: every network, the busiest twice.
PLATFORMS = (
    "instagram",
    "facebook",
    "x",
    "tiktok",
    "youtube",
    "linkedin",
    "instagram",
    "x",
    "facebook",
    "tiktok",
)
FORMATS = ("image", "video", "carousel", "text")
# A post's readings: its age, and the share of its final numbers it had then.
READINGS = (
    ("1 hour", 0.25),
    ("6 hours", 0.55),
    ("1 day", 0.8),
    ("3 days", 0.93),
    ("7 days", 0.98),
    ("14 days", 1.0),
)


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part", choices=["all", "pages", "collect"], default="all", help="(default all)"
    )
    parser.add_argument(
        "--posts", type=int, default=100_000, help="posts of the timed workspace (default 100,000)"
    )
    parser.add_argument(
        "--small-posts", type=int, default=1_000, help="posts of the small one (default 1,000)"
    )
    parser.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    parser.add_argument(
        "--requests", type=int, default=50, help="timed requests per page (default 50)"
    )
    parser.add_argument(
        "--due", type=int, default=10_000, help="posts due for collection (default 10,000)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of an earlier run with these sizes"
    )
    parser.add_argument(
        "--database",
        default="mixora_bench_insights",
        help="kept between runs for --reuse (default mixora_bench_insights)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if min(args.posts, args.small_posts, args.days, args.requests, args.due) < 1:
        parser.error("--posts, --small-posts, --days, --requests and --due must be at least 1")
    if "bench" not in args.database:
        parser.error("--database may be dropped: its name must contain 'bench'")
    return args


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def timed(label: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    say(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


# --- The history: generated in bulk ----------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    owner_id: int  # owner of both timed workspaces, who reads the pages
    insight_id: int  # a post of the timed workspace, for its metrics page
    account_id: int  # its busiest Instagram account, for the best times


def dataset_key(args: argparse.Namespace) -> dict[str, Any]:
    return {"posts": args.posts, "small_posts": args.small_posts, "days": args.days}


def stored_dataset(database_url: str, args: argparse.Namespace) -> Dataset | None:
    """The dataset an earlier run generated with the same sizes, if the database holds one."""
    try:
        conn = psycopg.connect(database_url, autocommit=True)
    except psycopg.OperationalError:
        return None  # no such database yet
    with conn:
        if conn.execute("SELECT to_regclass(%s)", [DATASET_TABLE]).fetchone()[0] is None:
            return None
        row = conn.execute(
            f"SELECT key, owner_id, insight_id, account_id FROM {DATASET_TABLE}"  # noqa: S608
        ).fetchone()
    if row is None or row[0] != dataset_key(args):
        return None
    return Dataset(*row[1:])


def generate(args: argparse.Namespace) -> Dataset:
    from django.db import connection

    from accounts.models import Membership, User
    from accounts.roles import Role
    from insights.models import PostInsight

    say(
        f"Generating {args.posts:,} posts with {len(READINGS)} readings each over {args.days} "
        f"days on {len(PLATFORMS)} accounts, and {args.small_posts:,} in a small workspace:"
    )
    begin = time.perf_counter()
    owner = User.objects.create_user(email="owner@bench.test", password=secrets.token_hex(16))
    main, small = (
        timed(f"{slug}: workspace, accounts", lambda slug=slug: _workspace(slug, owner))
        for slug in (MAIN_SLUG, SMALL_SLUG)
    )
    for workspace, count in ((main, args.posts), (small, args.small_posts)):
        timed(
            f"{workspace.slug}: posts, targets, insights",
            lambda w=workspace, n=count: _posts(w, n, args.days),
        )
    with connection.cursor() as cursor:
        timed("readings", lambda: _readings(cursor))
        timed("follower counts", lambda: _followers(args.days))
        timed("daily roll-ups (insights.rollups.refresh)", _rollups)
        timed(
            "VACUUM ANALYZE",
            lambda: cursor.execute(
                "VACUUM (ANALYZE) insights_postinsight, insights_metricsnapshot,"
                " insights_followercount, insights_dailyrollup, publishing_post,"
                " publishing_posttarget"
            ),
        )
        insight = PostInsight.objects.filter(workspace__slug=MAIN_SLUG).order_by("-pk").first()
        account = main.connected_accounts.filter(platform="instagram").order_by("pk").first()
        dataset = Dataset(owner.pk, insight.pk, account.pk)
        cursor.execute(
            f"CREATE TABLE {DATASET_TABLE} (key jsonb, owner_id int, insight_id int,"
            " account_id int, generated_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {DATASET_TABLE} (key, owner_id, insight_id, account_id)"  # noqa: S608
            " VALUES (%s, %s, %s, %s)",
            [json.dumps(dataset_key(args)), owner.pk, insight.pk, account.pk],
        )
    assert Membership.objects.filter(user=owner, role=Role.OWNER).count() == 2  # noqa: S101
    say(f"  in all: {time.perf_counter() - begin:.1f} s")
    return dataset


def _workspace(slug: str, owner: Any) -> Workspace:
    from accounts.models import Membership, Workspace
    from accounts.roles import Role
    from connections.models import ConnectedAccount

    workspace = Workspace.objects.create(
        name=slug.replace("-", " ").title(), slug=slug, timezone=TZ
    )
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform=platform,
            external_id=f"{slug}-{i}",
            display_name=f"{platform.title()} {i}",
        )
        for i, platform in enumerate(PLATFORMS)
    )
    return workspace


def _posts(workspace: Workspace, count: int, days: int) -> None:
    """Posts spread evenly over the last `days` days, round-robin over the accounts, with
    deterministic numbers (a seeded generator)."""
    from insights.models import PostInsight
    from publishing.models import Post, PostTarget

    rng = random.Random(f"{workspace.slug}-{count}")  # noqa: S311 - the same data every run
    zone = ZoneInfo(TZ)
    accounts = list(workspace.connected_accounts.order_by("pk"))
    now = datetime.now(zone).replace(minute=0, second=0, microsecond=0)
    span = timedelta(days=days) / count
    when = [now - span * i - timedelta(hours=rng.choice((0, 3, 6, 9))) for i in range(count)]
    batch = 5000
    for start in range(0, count, batch):
        indexes = range(start, min(start + batch, count))
        posts = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                text=f"Bench post {i}: fresh from the roaster #coffee" + " more" * (i % 40),
                stage=Post.Stage.PUBLISHED,
                scheduled_at=when[i],
            )
            for i in indexes
        )
        targets = PostTarget.objects.bulk_create(
            PostTarget(
                post=post,
                account=accounts[i % len(accounts)],
                state=PostTarget.State.PUBLISHED,
                platform_post_id=f"{workspace.pk}-{i}",
                permalink=f"https://example.test/p/{workspace.pk}-{i}",
                published_at=when[i],
            )
            for i, post in zip(indexes, posts, strict=True)
        )
        PostInsight.objects.bulk_create(
            _insight(target, accounts[i % len(accounts)].platform, rng)
            for i, target in zip(indexes, targets, strict=True)
        )


def _insight(target: Any, platform: str, rng: random.Random) -> Any:
    from insights.models import PostInsight

    local = target.published_at
    seen = int(rng.lognormvariate(7.5, 0.8))
    engagements = int(seen * rng.uniform(0.01, 0.09))
    impressions = None if platform == "tiktok" else seen
    return PostInsight(
        workspace_id=target.post.workspace_id,
        account_id=target.account_id,
        target=target,
        platform_post_id=target.platform_post_id,
        published_at=target.published_at,
        local_day=local.date(),
        local_weekday=local.weekday(),
        local_hour=local.hour,
        format=rng.choice(FORMATS),
        caption_length=len(target.post.text),
        hashtag_count=1,
        impressions=impressions,
        reach=int(seen * 0.8),
        engagements=engagements,
        likes=int(engagements * 0.7),
        comments=int(engagements * 0.1),
        shares=int(engagements * 0.2),
        engagement_rate=engagements / (impressions or int(seen * 0.8) or 1),
        snapshots=len(READINGS),
        last_collected_at=target.published_at + timedelta(days=14),
    )


def _readings(cursor: Any) -> None:
    """READINGS per post, a growing share of its numbers, in one INSERT … SELECT."""
    values = ", ".join(f"(interval '{age}', {share})" for age, share in READINGS)
    scaled = ", ".join(
        f"round(i.{name} * r.share)::bigint"
        for name in ("impressions", "reach", "engagements", "likes", "comments", "shares")
    )
    cursor.execute(
        "INSERT INTO insights_metricsnapshot (insight_id, taken_at, impressions, reach,"  # noqa: S608
        f" engagements, likes, comments, shares) SELECT i.id, i.published_at + r.age, {scaled}"
        f" FROM insights_postinsight i CROSS JOIN (VALUES {values}) AS r(age, share)"
    )


def _followers(days: int) -> None:
    from connections.models import ConnectedAccount
    from insights.models import FollowerCount

    today = datetime.now(ZoneInfo(TZ)).date()
    for account in ConnectedAccount.objects.all():
        start = 1000 + account.pk * 137
        FollowerCount.objects.bulk_create(
            FollowerCount(
                workspace_id=account.workspace_id,
                account=account,
                day=today - timedelta(days=d),
                followers=start + (days - d) * 3,
            )
            for d in range(days)
        )


def _rollups() -> None:
    from insights import rollups
    from insights.models import PostInsight

    rollups.refresh(PostInsight.objects.values_list("account_id", "local_day").distinct())


# --- The pages -----------------------------------------------------------------------------


@dataclass
class PageTiming:
    name: str
    times: list[float]  # seconds, ascending
    queries: int  # of one more request, captured
    small_queries: int  # the same page of the small workspace
    sql_seconds: float

    def cells(self) -> list[str]:
        return [
            self.name,
            str(len(self.times)),
            ms(percentile(self.times, 50)),
            ms(percentile(self.times, 95)),
            ms(self.times[-1]),
            str(self.queries),
            str(self.small_queries),
            ms(self.sql_seconds),
        ]


PAGE_HEADERS = ["page", "n", "p50", "p95", "max", "queries", "small ws", "sql ms"]


def _request(client: Any, url: str, first_bytes: bool) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if response.streaming:
        chunks = iter(response.streaming_content)
        next(chunks)  # the header …
        next(chunks, None)  # … and the first row
        if not first_bytes:
            for _ in chunks:
                pass
        response.close()


def _captured(client: Any, url: str, first_bytes: bool) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _request(client, url, first_bytes)
    return len(captured), sum(float(q["time"]) for q in captured.captured_queries)


def time_page(
    client: Any, name: str, url: str, small_url: str, args: argparse.Namespace, first_bytes: bool
) -> PageTiming:
    for _ in range(2):
        _request(client, url, first_bytes)
        _request(client, small_url, first_bytes)
    queries, sql_seconds = _captured(client, url, first_bytes)
    small_queries, _ = _captured(client, small_url, first_bytes)
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        _request(client, url, first_bytes)
        times.append(time.perf_counter() - start)
    return PageTiming(name, sorted(times), queries, small_queries, sql_seconds)


def pages(args: argparse.Namespace, dataset: Dataset) -> list[PageTiming]:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from insights.models import PostInsight

    client = Client()
    client.force_login(User.objects.get(pk=dataset.owner_id))
    today = datetime.now(ZoneInfo(TZ)).date()
    year = f"period=custom&start={today - timedelta(days=364)}&end={today}"
    small_insight = PostInsight.objects.filter(workspace__slug=SMALL_SLUG).order_by("-pk").first()
    small_account = PostInsight.objects.filter(workspace__slug=SMALL_SLUG).first().account_id

    def both(name: str, *args: object, query: str = "") -> tuple[str, str]:
        suffix = f"?{query}" if query else ""
        main_args, small_args = args[:1], args[1:]
        return (
            reverse(name, args=[MAIN_SLUG, *main_args]) + suffix,
            reverse(name, args=[SMALL_SLUG, *small_args]) + suffix,
        )

    cases = [
        ("overview, 30 days", *both("analytics"), False),
        ("overview, 90 days", *both("analytics", query="period=90"), False),
        ("overview, 365 days", *both("analytics", query=year), False),
        ("overview, 30 days, top by rate", *both("analytics", query="sort=rate"), False),
        ("overview, 90 days, one network", *both("analytics", query="period=90&network=x"), False),
        (
            "post metrics (6 readings)",
            *both("analytics_post", dataset.insight_id, small_insight.pk),
            False,
        ),
        (
            "best times + formats",
            reverse("analytics_best_times", args=[MAIN_SLUG]) + f"?account={dataset.account_id}",
            reverse("analytics_best_times", args=[SMALL_SLUG]) + f"?account={small_account}",
            False,
        ),
        ("CSV, 30 days: first row", *both("analytics_export"), True),
        ("CSV, 365 days: first row", *both("analytics_export", query=year), True),
    ]
    results = []
    for name, url, small_url, first_bytes in cases:
        say(f"… {name}")
        results.append(time_page(client, name, url, small_url, args, first_bytes))
    return results


def top_posts_query(dataset: Dataset, requests_count: int) -> list[list[str]]:
    """The top-posts query alone (one indexed query with LIMIT), per period."""
    from accounts.models import Workspace
    from insights import queries

    workspace = Workspace.objects.get(slug=MAIN_SLUG)
    ids = list(workspace.connected_accounts.values_list("pk", flat=True))
    today = datetime.now(ZoneInfo(TZ)).date()
    rows = []
    for days in (30, 90, 365):
        period = queries.Period.last(days, today)
        posts = queries.posts_in(workspace, ids, period).count()
        for sort in ("engagements", "rate"):
            times = []
            for _ in range(requests_count):
                start = time.perf_counter()
                queries.top_posts(workspace, ids, period, sort)
                times.append(time.perf_counter() - start)
            times.sort()
            rows.append(
                [
                    f"{days} days by {sort}",
                    f"{posts:,}",
                    ms(percentile(times, 50)),
                    ms(percentile(times, 95)),
                ]
            )
    return rows


def full_export(dataset: Dataset) -> str:
    """The whole year as CSV, read to the end: rows and seconds."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=dataset.owner_id))
    today = datetime.now(ZoneInfo(TZ)).date()
    url = reverse("analytics_export", args=[MAIN_SLUG])
    start = time.perf_counter()
    response = client.get(f"{url}?period=custom&start={today - timedelta(days=364)}&end={today}")
    lines = size = 0
    for chunk in response.streaming_content:
        lines += 1
        size += len(chunk)
    seconds = time.perf_counter() - start
    return (
        f"The whole year's CSV ({lines - 1:,} rows, {size / 1e6:.1f} MB) streamed in "
        f"{seconds:.1f} s ({(lines - 1) / seconds:,.0f} rows/s)."
    )


# --- Collection ------------------------------------------------------------------------------


def collect(args: argparse.Namespace) -> list[str]:
    """`--due` posts published on the emulator's X user, due now, read by
    insights.collection.collect_due until none is due: what the Celery task runs."""
    from django.utils import timezone

    from accounts.models import Workspace
    from connections.models import ConnectedAccount
    from insights import collection
    from insights.models import MetricSnapshot, PostInsight
    from publishing.models import Post, PostTarget

    emulator = Emulator(int(os.environ["EMULATOR_TEST_PORT"]))
    try:
        emulator.control("POST", "reset")
        say(f"… {args.due:,} posts on the emulator's X user")
        ids = _emulator_posts(emulator.url, args.due)
        Workspace.objects.filter(slug=COLLECT_SLUG).delete()
        workspace = Workspace.objects.create(name="Bench collect", slug=COLLECT_SLUG, timezone=TZ)
        account = ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id=X_USER_ID, display_name="Demo Co"
        )
        tokens = x_grant().tokens
        ConnectedAccount.objects.filter(pk=account.pk).update(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_expires_at=tokens.expires_at(),
            scopes=list(tokens.scopes),
        )
        account.refresh_from_db()
        now = timezone.now()
        published = now - timedelta(hours=2)
        posts = Post.objects.bulk_create(
            (Post(workspace=workspace, text=f"p{i}", stage=Post.Stage.PUBLISHED) for i in ids),
            batch_size=5000,
        )
        targets = PostTarget.objects.bulk_create(
            (
                PostTarget(
                    post=post,
                    account=account,
                    state=PostTarget.State.PUBLISHED,
                    platform_post_id=post_id,
                    published_at=published,
                )
                for post, post_id in zip(posts, ids, strict=True)
            ),
            batch_size=5000,
        )
        local = published.astimezone(ZoneInfo(TZ))
        PostInsight.objects.bulk_create(
            (
                PostInsight(
                    workspace=workspace,
                    account=account,
                    target=target,
                    platform_post_id=target.platform_post_id,
                    published_at=published,
                    local_day=local.date(),
                    local_weekday=local.weekday(),
                    local_hour=local.hour,
                    format="text",
                    next_collect_at=now,
                )
                for target in targets
            ),
            batch_size=5000,
        )
        say(f"… collecting {args.due:,} due posts")
        start = time.perf_counter()
        total = collection.Outcome()
        rounds = 0
        while True:
            outcome = collection.collect_due()
            rounds += 1
            total.add(outcome)
            if outcome.read + outcome.deferred + outcome.failed == 0:
                break
        seconds = time.perf_counter() - start
        lookups = len(emulator.control("GET", "requests?platform=x&endpoint=x.tweets_lookup"))
        readings = MetricSnapshot.objects.filter(insight__workspace=workspace).count()
        return [
            f"Collection of {args.due:,} due X posts (insights.collection.collect_due, in one "
            f"process, {rounds - 1} claims of up to {collection.CLAIM_BATCH}; X lookups of up "
            f"to 100 ids: {lookups or 'see requests'}): {total.read:,} read, "
            f"{total.deferred:,} deferred, {total.failed:,} failed, {readings:,} readings stored "
            f"in {seconds:.1f} s = {total.read / seconds:,.0f} posts/s."
        ]
    finally:
        emulator.process.terminate()
        emulator.process.wait(timeout=10)


def _emulator_posts(url: str, count: int) -> list[str]:
    """The X user's earlier posts, made through the emulator's control API (8 threads)."""

    def make(chunk: range) -> list[str]:
        with requests.Session() as session:
            return [
                session.post(
                    f"{url}/_control/posts",
                    json={"network": "x", "account_id": X_USER_ID, "text": f"Bench post {i}"},
                    timeout=30,
                ).json()["id"]
                for i in chunk
            ]

    step = -(-count // 8)
    with ThreadPoolExecutor(8) as pool:
        parts = pool.map(make, (range(s, min(s + step, count)) for s in range(0, count, step)))
    return [post_id for part in parts for post_id in part]


# --- Main --------------------------------------------------------------------------------


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    database_url = with_database(base_url, args.database)
    use_environment(database_url, redis_url, f"mixora-bench-{secrets.token_hex(4)}", free_port())
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    dataset = stored_dataset(database_url, args) if args.reuse else None
    if dataset is None:
        recreate_database(admin_url, args.database)
    load = os.getloadavg()[0]
    timings: list[PageTiming] = []
    top_rows: list[list[str]] = []
    lines: list[str] = []
    try:
        setup_django()
        if dataset is None:
            dataset = generate(args)
        else:
            say(f"Reusing the data in {args.database} (--reuse).")
        if args.part in ("all", "pages"):
            timings = pages(args, dataset)
            top_rows = top_posts_query(dataset, args.requests)
            lines.append(full_export(dataset))
        if args.part in ("all", "collect"):
            lines.extend(collect(args))
        say()
        say(f"Load average (1 min): {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.")
        if timings:
            say(
                f"\nAnalytics pages of {MAIN_SLUG} ({args.posts:,} posts) as its owner, Django "
                f"test Client in-process, {os.cpu_count()} cores (ms; queries: one more request, "
                f"captured; small ws: the same page of {SMALL_SLUG}, {args.small_posts:,} posts):"
            )
            table(PAGE_HEADERS, [t.cells() for t in timings])
            say("\nThe top-posts query alone (ms):")
            table(["period", "posts in it", "p50", "p95"], top_rows)
        for line in lines:
            say("\n" + line)
    finally:
        from django.db import connections

        connections.close_all()
        if args.drop:
            drop_database(admin_url, args.database)
    slow = [t for t in timings if percentile(t.times, 95) * 1000 > GOAL_MS]
    growing = [t for t in timings if t.queries != t.small_queries]
    return 1 if slow or growing else 0


if __name__ == "__main__":
    sys.exit(main())
