"""Benchmark of the scheduling pages at 100,000 posts: calendar, queues, posts list, home and a
post's page, timed as the workspace's owner, and their query counts compared with the same pages
of a workspace of 100 posts (a fixed query count means the same number at both sizes).

    .venv/bin/python bench/pages.py                 # generates once, then reuses the data
    .venv/bin/python bench/pages.py --requests 100  # more timed requests per page
    .venv/bin/python bench/pages.py --drop          # drop the database at the end

Runs on its own PostgreSQL database (default mixora_bench_pages, kept so later runs skip the
generation; another --posts regenerates it), all on 127.0.0.1. Exit status 1 when a page's p95
is over 50 ms or it asks more queries in the big workspace than in the small one. Shares its
plumbing with bench/publish.py and bench/insights.py."""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import psycopg

# The project's packages come before bench/ on sys.path (bench/publish.py does the same).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publish import (  # in bench/, this script's directory
    drop_database,
    free_port,
    loopback,
    percentile,
    recreate_database,
    say,
    table,
    use_environment,
    with_database,
)

if TYPE_CHECKING:
    from accounts.models import User, Workspace

MAIN_SLUG = "bench-pages"  # the timed workspace
SMALL_SLUG = "bench-pages-small"  # the same accounts and mix, few posts: query counts compared
OTHER_SLUGS = ("bench-pages-other-1", "bench-pages-other-2", "bench-pages-other-3")
TZ = "Europe/Paris"
DATASET_TABLE = "bench_pages_dataset"
GOAL_MS = 50  # p95 of every page (issue 15)
PLATFORMS = ("instagram", "facebook", "x", "linkedin", "tiktok", "youtube", "instagram", "x")
BUSY_MONTHS_AGO = 3  # this past month holds three times the usual posts
# A post's stage and its targets' state (weights out of 100): a year of published posts,
# two months of scheduled ones, drafts and the review workflow, a few failures.
MIX = (
    ("published", 76),
    ("published_failed", 2),  # one of its targets failed
    ("scheduled", 12),
    ("draft", 5),
    ("in_review", 2),
    ("changes_requested", 1),
    ("expired", 2),
)
# What the timed HTML shows one row as, to count the rows a page shows.
ROW_MARKERS = {
    "calendar": 'class="cal-post ',
    "queue": 'class="queue__item"',
    "posts": 'class="post-row"',
    "home": 'class="home-item"',
    "detail": 'class="person target-row"',
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--posts", type=int, default=100_000, help="posts of the timed workspace (default 100,000)"
    )
    parser.add_argument(
        "--small-posts", type=int, default=100, help="posts of the small one (default 100)"
    )
    parser.add_argument(
        "--other-posts", type=int, default=2_000, help="posts of each other workspace (2,000)"
    )
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per page (default 30)"
    )
    parser.add_argument(
        "--database",
        default="mixora_bench_pages",
        help="kept between runs (default mixora_bench_pages)",
    )
    parser.add_argument(
        "--warm", type=int, default=2, help="untimed requests per page first (default 2)"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--only", default="", help="time only the pages whose name has this")
    args = parser.parse_args(argv)
    if min(args.posts, args.small_posts, args.other_posts, args.requests) < 1:
        parser.error("--posts, --small-posts, --other-posts and --requests must be at least 1")
    if "bench" not in args.database:
        parser.error("--database may be dropped: its name must contain 'bench'")
    return args


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


# --- The data: generated once, in bulk --------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    owner_id: int
    busy_month: str  # YYYY-MM-DD, the first day of the busy past month


def dataset_key(args: argparse.Namespace) -> dict[str, Any]:
    return {"posts": args.posts, "small": args.small_posts, "other": args.other_posts, "v": 2}


def stored_dataset(database_url: str, args: argparse.Namespace) -> Dataset | None:
    try:
        conn = psycopg.connect(database_url, autocommit=True)
    except psycopg.OperationalError:
        return None  # no such database yet
    with conn:
        if conn.execute("SELECT to_regclass(%s)", [DATASET_TABLE]).fetchone()[0] is None:
            return None
        row = conn.execute(f"SELECT key, owner_id, busy_month FROM {DATASET_TABLE}").fetchone()  # noqa: S608
    if row is None or row[0] != dataset_key(args):
        return None
    return Dataset(row[1], row[2])


def busy_month_start(today: date) -> date:
    months = today.year * 12 + today.month - 1 - BUSY_MONTHS_AGO
    return date(months // 12, months % 12 + 1, 1)


def generate(args: argparse.Namespace) -> Dataset:
    from django.db import connection

    from accounts.models import User

    say(
        f"Generating {args.posts:,} posts in {MAIN_SLUG}, {args.small_posts:,} in {SMALL_SLUG} "
        f"and {args.other_posts:,} in each of {len(OTHER_SLUGS)} other workspaces:"
    )
    begin = time.perf_counter()
    owner = User.objects.create_user(email="owner@bench.test", password=secrets.token_hex(16))
    editors = [
        User.objects.create_user(email=f"editor{i}@bench.test", password=secrets.token_hex(16))
        for i in range(2)
    ]
    for slug, count in (
        (MAIN_SLUG, args.posts),
        (SMALL_SLUG, args.small_posts),
        *((slug, args.other_posts) for slug in OTHER_SLUGS),
    ):
        start = time.perf_counter()
        workspace = _workspace(slug, owner, editors)
        _posts(workspace, count, [owner, *editors])
        say(f"  {slug}: {count:,} posts in {time.perf_counter() - start:.1f} s")
    busy = busy_month_start(datetime.now(ZoneInfo(TZ)).date())
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) publishing_post, publishing_posttarget, publishing_postmedia,"
            " publishing_reviewdecision, publishing_media"
        )
        cursor.execute(
            f"CREATE TABLE {DATASET_TABLE} (key jsonb, owner_id int, busy_month date,"
            " generated_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {DATASET_TABLE} (key, owner_id, busy_month) VALUES (%s, %s, %s)",  # noqa: S608
            [json.dumps(dataset_key(args)), owner.pk, busy],
        )
    say(f"  in all: {time.perf_counter() - begin:.1f} s")
    return Dataset(owner.pk, busy)


def _workspace(slug: str, owner: User, editors: list[User]) -> Workspace:
    from accounts.models import Membership, Workspace
    from accounts.roles import Role
    from connections.models import ConnectedAccount
    from publishing.models import Media

    workspace = Workspace.objects.create(
        name=slug.replace("-", " ").title(), slug=slug, timezone=TZ
    )
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    for editor in editors:
        Membership.objects.create(workspace=workspace, user=editor, role=Role.EDITOR)
    ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform=platform,
            external_id=f"{slug}-{i}",
            display_name=f"{platform.title()} {i}",
        )
        for i, platform in enumerate(PLATFORMS)
    )
    Media.objects.bulk_create(
        Media(
            workspace=workspace,
            uploaded_by=owner,
            file=f"media/{slug}/photo-{i}.jpg",
            kind=Media.Kind.IMAGE,
            content_type="image/jpeg",
            name=f"photo-{i}.jpg",
            size=200_000,
            width=1080,
            height=1080,
        )
        for i in range(40)
    )
    return workspace


def _when(kind: str, rng: random.Random, now: datetime, busy: date) -> datetime | None:
    """A post's time: published ones over the past year (the busy month thrice as dense),
    scheduled ones over the next two months, half the drafts without a time."""
    zone = ZoneInfo(TZ)
    if kind in ("scheduled", "in_review", "changes_requested") or (
        kind == "draft" and rng.random() < 0.5
    ):
        return now + timedelta(minutes=rng.randrange(5, 60 * 24 * 60))
    if kind == "draft":
        return None
    if rng.random() < 0.12:  # about three times the share of a month
        day = busy + timedelta(days=rng.randrange(28))
        hour, minute = rng.randrange(6, 23), rng.randrange(60)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return now - timedelta(minutes=rng.randrange(60, 60 * 24 * 365))


def _posts(workspace: Workspace, count: int, authors: list[User]) -> None:
    from publishing.models import Media, Post, PostMedia, PostTarget, ReviewDecision

    rng = random.Random(f"{workspace.slug}-{count}")  # noqa: S311 - the same data every run
    accounts = list(workspace.connected_accounts.order_by("pk"))
    media = list(Media.objects.filter(workspace=workspace).order_by("pk"))
    now = datetime.now(ZoneInfo(TZ)).replace(second=0, microsecond=0)
    busy = busy_month_start(now.date())
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    target_state = {
        "published": PostTarget.State.PUBLISHED,
        "published_failed": PostTarget.State.PUBLISHED,
        "scheduled": PostTarget.State.SCHEDULED,
        "draft": PostTarget.State.DRAFT,
        "in_review": PostTarget.State.DRAFT,
        "changes_requested": PostTarget.State.DRAFT,
        "expired": PostTarget.State.EXPIRED,
    }
    batch = 5000
    for first in range(0, count, batch):
        # The first posts have every kind by every author, so even the small workspace shows
        # every section and tab (a query count compares the same work at both sizes).
        every = [(kind, author) for author in authors for kind, _ in MIX]
        chosen = [
            every[i] if i < len(every) else (rng.choice(kinds), rng.choice(authors))
            for i in range(first, min(first + batch, count))
        ]
        posts = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                author=author,
                text=f"Post {first + i}: fresh from the roaster #coffee" + " more" * (i % 30),
                stage=Post.Stage.PUBLISHED if kind == "published_failed" else kind,
                scheduled_at=_when(kind, rng, now, busy),
                approved_by=authors[0] if kind in ("published", "scheduled") else None,
            )
            for i, (kind, author) in enumerate(chosen)
        )
        targets, attachments, decisions = [], [], []
        for post, (kind, _) in zip(posts, chosen, strict=True):
            for n, account in enumerate(rng.sample(accounts, rng.choice((1, 1, 2, 2, 3)))):
                state = target_state[kind]
                if kind == "published_failed" and n == 0:
                    state = PostTarget.State.FAILED
                published = state == PostTarget.State.PUBLISHED
                targets.append(
                    PostTarget(
                        post=post,
                        account=account,
                        state=state,
                        due_at=post.scheduled_at if state != PostTarget.State.DRAFT else None,
                        platform_post_id=f"{post.pk}-{account.pk}" if published else "",
                        published_at=post.scheduled_at if published else None,
                        last_error="The network refused the post." if state == "failed" else "",
                    )
                )
            if rng.random() < 0.25:
                attachments.append(PostMedia(post=post, media=rng.choice(media)))
            if kind in ("in_review", "changes_requested", "published", "scheduled"):
                decisions.append(
                    ReviewDecision(post=post, kind=ReviewDecision.Kind.SUBMITTED, actor=post.author)
                )
            if kind in ("published", "scheduled"):
                decisions.append(
                    ReviewDecision(post=post, kind=ReviewDecision.Kind.APPROVED, actor=authors[0])
                )
            if kind == "changes_requested":
                decisions.append(
                    ReviewDecision(
                        post=post,
                        kind=ReviewDecision.Kind.REJECTED,
                        actor=authors[0],
                        comment="Shorter, please.",
                    )
                )
        PostTarget.objects.bulk_create(targets)
        PostMedia.objects.bulk_create(attachments)
        ReviewDecision.objects.bulk_create(decisions)


# --- The pages ---------------------------------------------------------------------------------


@dataclass
class PageTiming:
    name: str
    times: list[float]  # seconds, ascending
    queries: int  # of one more request, captured
    small_queries: int  # the same page of the small workspace
    sql_seconds: float
    rows: int  # rows the page shows (posts, queue items, …)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    def cells(self) -> list[str]:
        return [
            self.name,
            str(len(self.times)),
            ms(percentile(self.times, 50)),
            ms(self.p95),
            ms(self.times[-1]),
            str(self.queries),
            str(self.small_queries),
            ms(self.sql_seconds),
            str(self.rows),
        ]


PAGE_HEADERS = ["page", "n", "p50", "p95", "max", "queries", "100 posts", "sql ms", "rows"]


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response.content.decode()


def _captured(client: Any, url: str) -> tuple[int, float, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        html = _get(client, url)
    return len(captured), sum(float(q["time"]) for q in captured.captured_queries), html


def time_page(
    client: Any, name: str, kind: str, url: str, small_url: str, args: argparse.Namespace
) -> PageTiming:
    for _ in range(args.warm):  # the session, the templates, PostgreSQL's caches
        _get(client, url)
        _get(client, small_url)
    queries, sql_seconds, html = _captured(client, url)
    small_queries, _, _ = _captured(client, small_url)
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        _get(client, url)
        times.append(time.perf_counter() - start)
    rows = html.count(ROW_MARKERS[kind])
    return PageTiming(name, sorted(times), queries, small_queries, sql_seconds, rows)


def cases(dataset: Dataset) -> list[tuple[str, str, str, str]]:
    """(name, row kind, URL in the big workspace, the same URL in the small one)."""
    from django.urls import reverse

    from publishing.models import Post

    def both(name: str, query: str = "", big: tuple = (), small: tuple = ()) -> tuple[str, str]:
        suffix = f"?{query}" if query else ""
        return (
            reverse(name, args=[MAIN_SLUG, *big]) + suffix,
            reverse(name, args=[SMALL_SLUG, *small]) + suffix,
        )

    def first_account(slug: str) -> int:
        return Post.objects.filter(workspace__slug=slug).values_list(
            "workspace__connected_accounts", flat=True
        )[0]

    def a_post(slug: str) -> int:  # a published post with two targets, media and decisions
        return (
            Post.objects.filter(workspace__slug=slug, stage="published", attachments__isnull=False)
            .order_by("-scheduled_at")
            .values_list("pk", flat=True)[0]
        )

    busy = dataset.busy_month
    published = "tab=published"
    busy_week = busy + timedelta(days=10)
    account = first_account(MAIN_SLUG), first_account(SMALL_SLUG)
    return [
        ("calendar month, this month", "calendar", *both("calendar")),
        ("calendar week, this week", "calendar", *both("calendar", "view=week")),
        (f"calendar month, busy {busy:%b %Y}", "calendar", *both("calendar", f"date={busy}")),
        (
            f"calendar week, busy {busy_week}",
            "calendar",
            *both("calendar", f"view=week&date={busy_week}"),
        ),
        (
            "calendar month, one account, published",
            "calendar",
            reverse("calendar", args=[MAIN_SLUG])
            + f"?date={busy}&account={account[0]}&state=published",
            reverse("calendar", args=[SMALL_SLUG])
            + f"?date={busy}&account={account[1]}&state=published",
        ),
        ("queues, every account", "queue", *both("post_queue")),
        (
            "queue, one account",
            "queue",
            reverse("post_queue", args=[MAIN_SLUG]) + f"?account={account[0]}",
            reverse("post_queue", args=[SMALL_SLUG]) + f"?account={account[1]}",
        ),
        ("posts list (queue tab)", "posts", *both("post_list")),
        ("posts list, drafts", "posts", *both("post_list", "tab=drafts")),
        ("posts list, in review", "posts", *both("post_list", "tab=review")),
        ("posts list, published", "posts", *both("post_list", "tab=published")),
        ("posts list, expired", "posts", *both("post_list", "tab=expired")),
        ("posts list, published, failed", "posts", *both("post_list", published + "&state=failed")),
        (
            "posts list, published, one account",
            "posts",
            reverse("post_list", args=[MAIN_SLUG]) + f"?tab=published&account={account[0]}",
            reverse("post_list", args=[SMALL_SLUG]) + f"?tab=published&account={account[1]}",
        ),
        ("posts list, published, page 1000", "posts", *both("post_list", published + "&page=1000")),
        ("home", "home", *both("workspace_dashboard")),
        (
            "post page",
            "detail",
            *both("post_detail", big=(a_post(MAIN_SLUG),), small=(a_post(SMALL_SLUG),)),
        ),
    ]


def pages(args: argparse.Namespace, dataset: Dataset) -> list[PageTiming]:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=dataset.owner_id))
    results = []
    for name, kind, url, small_url in cases(dataset):
        if args.only and args.only not in name:
            continue
        say(f"… {name}")
        results.append(time_page(client, name, kind, url, small_url, args))
    return results


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
    dataset = stored_dataset(database_url, args)
    if dataset is None:
        recreate_database(admin_url, args.database)
    load = os.getloadavg()[0]
    timings: list[PageTiming] = []
    try:
        setup_django()
        if dataset is None:
            dataset = generate(args)
        else:
            say(f"Reusing the data in {args.database} (--drop regenerates it next time).")
        timings = pages(args, dataset)
        say()
        say(f"Load average (1 min): {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.")
        say(
            f"\nScheduling pages of {MAIN_SLUG} ({args.posts:,} posts) as its owner, Django test "
            f"Client in-process, {os.cpu_count()} cores (ms; queries: one more request, captured; "
            f"100 posts: the same page of {SMALL_SLUG}, {args.small_posts:,} posts; rows: what "
            "the page shows):"
        )
        table(PAGE_HEADERS, [t.cells() for t in timings])
    finally:
        from django.db import connections

        connections.close_all()
        if args.drop:
            drop_database(admin_url, args.database)
    slow = [t.name for t in timings if t.p95 * 1000 > GOAL_MS]
    # Fewer at 100 posts is fine (an empty box or a short list skips its prefetch or count);
    # more at 100,000 would be a query per row.
    growing = [t.name for t in timings if t.queries > t.small_queries]
    if slow:
        say(f"\nOver {GOAL_MS} ms at p95: {', '.join(slow)}")
    if growing:
        sizes = f"{args.posts:,} posts than at {args.small_posts:,}"
        say(f"More queries at {sizes}: {', '.join(growing)}")
    return 1 if slow or growing else 0


if __name__ == "__main__":
    sys.exit(main())
