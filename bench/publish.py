"""Benchmark of the publisher: the dispatcher, then real Celery workers publishing to X on the
platform emulator, the solo-pool baseline beside threads-pool workers, with the CPU each
process spends per post.

    .venv/bin/python bench/publish.py                  # 2,000 posts, solo x4 vs threads 1x32
    .venv/bin/python bench/publish.py --burst          # 10,000 due at once: p99 lag <= 30 s?
    .venv/bin/python bench/publish.py --dispatch-only --posts 10000

Runs on its own PostgreSQL database (dropped and created each run), its own Redis queue and
its own emulator on a free port, all on 127.0.0.1. bench/README.md says what is measured."""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests
from psycopg import sql

if TYPE_CHECKING:
    from connections.models import ConnectedAccount
    from connections.platforms.base import Grant

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file: the project's packages are importable

X_USER_ID = "1500000000000000001"  # the emulator's seeded X user (docs/emulator.md)
# X takes 100 posts per user per 15 minutes (connections/platforms/x/connector.py), so each
# account gets an emulator user of its own and at most this many posts a round.
POSTS_PER_USER = 100
LAG_GOAL = 30.0  # seconds: p99 lag of a 10,000-post burst (issue 15)
CPU_GOAL_MS = 4.0  # Mixora's CPU per post: workers, dispatcher, PostgreSQL, Redis (issue 15)
REDIRECT_URI = "http://127.0.0.1/bench/callback"  # never visited: the code is read off it
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DISPATCH_TARGET = 1.0  # seconds: the architecture's budget for 10,000 posts due at once


# --- Command line and output -------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000, help="posts due at once (2000)")
    parser.add_argument(
        "--accounts", type=int, default=0, help=f"X accounts (default posts / {POSTS_PER_USER})"
    )
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds X takes per post (default 0.1)"
    )
    parser.add_argument(
        "--pool",
        choices=["solo", "threads", "both"],
        default="threads",
        help="solo rounds (the first design), threads rounds, or both (threads)",
    )
    parser.add_argument(
        "--design",
        choices=["per-post", "batched", "both"],
        default="both",
        help="threads rounds: one task per post (the previous design), publish tasks of "
        "--task-size posts whose calls run together (today's), or both (both)",
    )
    parser.add_argument(
        "--task-size", type=int, default=25, help="batched: posts per publish task (25)"
    )
    parser.add_argument(
        "--calls", type=int, default=48, help="batched: platform calls in flight per worker (48)"
    )
    parser.add_argument(
        "--batch-concurrency",
        type=int,
        default=8,
        help="batched: Celery threads per worker, each running one publish task (8)",
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[4], help="solo rounds: worker counts (4)"
    )
    parser.add_argument(
        "--thread-workers",
        type=int,
        nargs="+",
        default=[1],
        help="threads rounds: worker process counts (1)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=32,
        help="per-post: threads per threads-pool worker (32)",
    )
    parser.add_argument(
        "--db-reuse",
        choices=["design", "on", "off"],
        default="design",
        help="workers keep their database connections: off for solo rounds (today's "
        "workers), on for threads rounds (design, the default), or on/off for all",
    )
    parser.add_argument(
        "--burst",
        action="store_true",
        help="10,000 posts due at once on 100 accounts, batched design only, p99 lag vs 30 s",
    )
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds a round may take (default 900)"
    )
    parser.add_argument(
        "--dispatch-only", action="store_true", help="measure the dispatcher alone, no workers"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="dispatch-only: measured runs (default 3)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="dispatch-only: one more run under cProfile"
    )
    parser.add_argument(
        "--database", default="mixora_bench", help="dropped and created (default mixora_bench)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.burst:
        args.posts, args.pool, args.design = 10_000, "threads", "batched"
    args.accounts = args.accounts or math.ceil(args.posts / POSTS_PER_USER)
    counts = [
        *args.workers,
        *args.thread_workers,
        args.concurrency,
        args.repeat,
        args.task_size,
        args.calls,
        args.batch_concurrency,
    ]
    if args.posts < 1 or args.accounts < 1 or min(counts) < 1:
        parser.error("--posts, --accounts, worker counts, sizes and --repeat must be >= 1")
    if not args.dispatch_only and math.ceil(args.posts / args.accounts) > POSTS_PER_USER:
        parser.error(f"X takes {POSTS_PER_USER} posts per account per window: add --accounts")
    if "bench" not in args.database:
        parser.error("--database is dropped each run: its name must contain 'bench'")
    return args


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    say("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        say("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


# --- PostgreSQL, Redis and the emulator on loopback ----------------------------------------


def loopback(url: str) -> str:
    host = urlsplit(url).hostname or "127.0.0.1"
    if host not in LOOPBACK:
        raise SystemExit(f"the benchmark talks only to 127.0.0.1, not to {host} ({url})")
    return url


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(admin_url: str, name: str) -> None:
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(drop)


def recreate_database(admin_url: str, name: str) -> None:
    drop_database(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(processes: list[subprocess.Popen], timeout: float = 20) -> None:
    """SIGTERM (a Celery worker finishes its task, then exits), SIGKILL after `timeout`."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class Emulator:
    """`python -m emulator` on a free port and its control API."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "emulator", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._healthy, 20, "the emulator to start")

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("the emulator exited on start")
        try:
            return requests.get(f"{self.url}/_control/health", timeout=1).ok
        except requests.ConnectionError:
            return False

    def control(self, method: str, path: str, payload: dict | None = None) -> Any:
        response = requests.request(method, f"{self.url}/_control/{path}", json=payload, timeout=30)
        response.raise_for_status()
        return response.json()

    def prepare(self, posts: int, latency: float) -> None:
        """Back to the seed (posts, tokens, faults), then every post takes `latency` seconds."""
        self.control("POST", "reset")
        self.control(
            "POST",
            "faults",
            {
                "platform": "x",
                "endpoint": "x.tweets",
                "kind": "slow",
                "count": posts,
                "delay": latency,
            },
        )

    def round_trip(self, calls: int = 20) -> float:
        """Median seconds of a request on a kept-alive connection, as the connectors make them:
        what every platform call costs on top of the injected latency."""
        url = f"{self.url}/_control/health"
        times = []
        with requests.Session() as session:
            session.get(url, timeout=5)
            for _ in range(calls):
                start = time.perf_counter()
                session.get(url, timeout=5)
                times.append(time.perf_counter() - start)
        return statistics.median(times)

    def x_posts(self) -> list[dict]:
        return self.control("GET", "posts?platform=x")

    def x_users(self, count: int) -> list[str]:
        """The seeded X user and `count - 1` more (POST /_control/users), their ids."""
        extra = [
            self.control("POST", "users", {"platform": "x", "name": f"Bench {i}"})["id"]
            for i in range(1, count)
        ]
        return [X_USER_ID, *extra]


# --- Django: settings, data --------------------------------------------------------------


def use_environment(database_url: str, redis_url: str, queue: str, emulator_port: int) -> None:
    """The bench settings (the test settings, bench/publish_settings.py) on the bench database,
    queues and emulator, for this process and the workers it starts (they inherit it)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.publish_settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TEST_QUEUE=queue,
        BENCH_CACHE_PREFIX=queue,
        EMULATOR_TEST_PORT=str(emulator_port),
    )


def publish_queue() -> str:
    from mixora.queues import PUBLISH, queue_names

    return queue_names((PUBLISH,))[0]


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_accounts(count: int) -> list[ConnectedAccount]:
    """`count` X accounts, one per workspace (a workspace connects an account once); each
    round connects each to an emulator user of its own (`connect_users`)."""
    from accounts.models import Workspace
    from connections.models import ConnectedAccount

    workspaces = Workspace.objects.bulk_create(
        Workspace(name=f"Bench {i}", slug=f"bench-{i}") for i in range(count)
    )
    return ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform="x",
            external_id=f"bench-{i}",
            display_name=f"Bench {i}",
            handle="@democo",
        )
        for i, workspace in enumerate(workspaces)
    )


def create_posts(accounts: list[ConnectedAccount], count: int) -> None:
    """`count` scheduled posts with distinct texts (X refuses duplicates), one target each,
    spread round-robin over the accounts."""
    from django.utils import timezone

    from publishing.models import Post, PostTarget

    due = timezone.now()
    posts = Post.objects.bulk_create(
        (
            Post(
                workspace_id=accounts[i % len(accounts)].workspace_id,
                text=f"Mixora bench post {i:06d}",
                stage=Post.Stage.SCHEDULED,
                scheduled_at=due,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    PostTarget.objects.bulk_create(
        (
            PostTarget(
                post=post,
                account=accounts[i % len(accounts)],
                state=PostTarget.State.SCHEDULED,
                due_at=due,
            )
            for i, post in enumerate(posts)
        ),
        batch_size=2000,
    )


def x_grant(user_id: str) -> Grant:
    """A token for the emulator's X user `user_id` through the real OAuth client: the consent
    page clicked as that user, then XConnector.complete."""
    from urllib.parse import parse_qsl

    from connections.platforms.base import pkce_pair
    from connections.platforms.x.connector import XConnector
    from tests.emulator import consent

    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    connector = XConnector()
    url = connector.authorization_url(REDIRECT_URI, state, challenge)
    base, _, query = url.partition("?")
    back = consent(base, dict(parse_qsl(query)), user=user_id)
    if back.get("state") != state or "code" not in back:
        raise RuntimeError(f"the X consent did not return a code: {back}")
    grant = connector.complete(back["code"], REDIRECT_URI, verifier)
    if grant.profiles[0].external_id != user_id:
        raise RuntimeError(f"the X consent connected {grant.profiles[0].external_id}")
    return grant


def connect_users(emulator: Emulator) -> None:
    """Each account to an emulator X user of its own, with a fresh token (a reset kills them)."""
    from connections.models import ConnectedAccount

    accounts = list(ConnectedAccount.objects.order_by("pk"))
    for account, user_id in zip(accounts, emulator.x_users(len(accounts)), strict=True):
        grant = x_grant(user_id)
        tokens = grant.tokens
        ConnectedAccount.objects.filter(pk=account.pk).update(
            external_id=user_id,
            handle=grant.profiles[0].handle,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_expires_at=tokens.expires_at(),
            scopes=list(tokens.scopes),
            status=ConnectedAccount.Status.ACTIVE,
        )


def make_due() -> datetime:
    """Every target back to SCHEDULED, due now (the common instant returned)."""
    from django.utils import timezone

    from publishing.models import Post, PostTarget

    due = timezone.now()
    Post.objects.update(stage=Post.Stage.SCHEDULED, scheduled_at=due)
    PostTarget.objects.update(
        state=PostTarget.State.SCHEDULED,
        due_at=due,
        attempts=0,
        attempt_started_at=None,
        outcome_unknown=False,
        checkpoint={},
        last_error="",
        platform_post_id="",
        permalink="",
        published_at=None,
    )
    return due


# --- The dispatcher ----------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchTiming:
    claimed: int
    seconds: float  # the lease sweep, the SKIP LOCKED claims, and one fan-out message a batch
    messages: int  # fan-out messages waiting in Redis when dispatch_due returned

    def cells(self) -> list[str]:
        return [
            f"{self.seconds * 1000:.0f}",
            str(self.messages),
            f"{self.claimed / self.seconds:,.0f}",
        ]


DISPATCH_HEADERS = ["dispatch ms", "fan-out msgs", "claims/s"]


def timed_dispatch(broker: redis.Redis, queue: str) -> DispatchTiming:
    """publisher.dispatch_due() exactly as the beat task runs it."""
    from publishing import publisher

    start = time.perf_counter()
    claimed = publisher.dispatch_due()
    seconds = time.perf_counter() - start
    return DispatchTiming(claimed, seconds, broker.llen(queue))


def dispatch_only(args: argparse.Namespace, broker: redis.Redis, queue: str) -> bool:
    rows = []
    for run in range(1, args.repeat + 1):
        broker.delete(queue)
        make_due()
        timing = timed_dispatch(broker, queue)
        from publishing.publisher import BATCH_SIZE

        batches = math.ceil(args.posts / BATCH_SIZE)
        if timing.claimed != args.posts or timing.messages != batches:
            raise RuntimeError(f"claimed {timing.claimed}, {timing.messages} fan-out messages")
        within = "yes" if timing.seconds < DISPATCH_TARGET else "NO"
        rows.append([str(run), f"{args.posts:,}", *timing.cells(), within])
    say(f"\nDispatcher alone, {args.posts:,} targets due at once, {os.cpu_count()} cores:")
    table(["run", "due", *DISPATCH_HEADERS, "< 1 s"], rows)
    if args.profile:
        profile_dispatch(broker, queue)
    return all(row[-1] == "yes" for row in rows)


def profile_dispatch(broker: redis.Redis, queue: str) -> None:
    from publishing import publisher

    broker.delete(queue)
    make_due()
    profiler = cProfile.Profile()
    profiler.runcall(publisher.dispatch_due)
    say("\nOne more dispatch under cProfile (slower than unprofiled), by cumulative time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


# --- End to end with workers -------------------------------------------------------------


def start_workers(spec: Round, queue: str) -> tuple[list[subprocess.Popen], list[str]]:
    """The round's workers on the bench's publish queue, the command line a publish worker
    runs in production; the environment (database, queue, emulator) is this process's."""
    pool, concurrency = spec.pool, spec.concurrency
    names = [f"{queue}-{pool}-{i}@bench" for i in range(spec.workers)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own worker
            [
                *(sys.executable, "-m", "celery", "-A", "mixora", "--quiet", "worker"),
                f"--pool={pool}",
                f"--concurrency={concurrency if pool == 'threads' else 1}",
                *("--without-heartbeat", "--without-mingle", "--without-gossip"),
                *("-l", "warning", "-Q", publish_queue(), "-n", name),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "BENCH_DB_REUSE": "1" if spec.reuse else "0",
                "BENCH_TASK_SIZE": str(spec.task_size),
                "BENCH_CALLS": str(spec.calls),
            },
            start_new_session=True,
        )
        for name in names
    ]
    return processes, names


# --- CPU per post ------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used, its threads included; 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def database_backends(database: str) -> list[int]:
    """PostgreSQL backends serving the bench database, but this process's own (it polls)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def closed_backends_cpu() -> float:
    """CPU of PostgreSQL backends that have exited (the postmaster's reaped children): a
    worker that opens a connection per task leaves its cost here. All databases: on a busy
    server it includes other clients' closed connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        postmaster = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1]
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS  # cutime, cstime


def redis_cpu(broker: redis.Redis) -> float:
    info = broker.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


@dataclass
class CpuMeter:
    """CPU spent during a round by the workers, the database's backends, Redis and the
    emulator. PostgreSQL is the bench database's live backends plus every backend that exited
    meanwhile; Redis is the whole server: both include other clients on a shared machine."""

    workers: list[int]
    emulator: int
    database: str
    broker: redis.Redis
    start: dict[str, Any] = None  # type: ignore[assignment]

    def snapshot(self) -> dict[str, Any]:
        return {
            "workers": sum(cpu_of(pid) for pid in self.workers),
            "postgres": {pid: cpu_of(pid) for pid in database_backends(self.database)},
            "closed": closed_backends_cpu(),
            "redis": redis_cpu(self.broker),
            "emulator": cpu_of(self.emulator),
        }

    def begin(self) -> None:
        self.start = self.snapshot()

    def end(self) -> dict[str, float]:
        now, was = self.snapshot(), self.start
        postgres = sum(cpu - was["postgres"].get(pid, 0.0) for pid, cpu in now["postgres"].items())
        postgres += now["closed"] - was["closed"]
        return {
            "workers": now["workers"] - was["workers"],
            "postgres": postgres,
            "redis": now["redis"] - was["redis"],
            "emulator": now["emulator"] - was["emulator"],
        }


def wait_ready(processes: list[subprocess.Popen], names: list[str], timeout: float = 60) -> None:
    """Until every named worker answers a ping; a worker that exits meanwhile fails it."""
    from mixora.celery import app

    answered: set[str] = set()

    def ready() -> bool:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a worker exited on start")
        for reply in app.control.ping(destination=names, timeout=0.5):
            answered.update(reply)
        return answered >= set(names)

    wait_until(ready, timeout, f"{len(names)} workers to answer a ping")


def wait_published(count: int, timeout: float, processes: list[subprocess.Popen]) -> None:
    from publishing.models import PostTarget

    S = PostTarget.State

    def done() -> bool:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a worker exited mid-run")
        stuck = PostTarget.objects.filter(state__in=[S.FAILED, S.NEEDS_ATTENTION]).first()
        if stuck:
            raise RuntimeError(f"target {stuck.pk} is {stuck.state}: {stuck.last_error}")
        return PostTarget.objects.filter(state=S.PUBLISHED).count() == count

    wait_until(done, timeout, f"{count} targets to be published")


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def end_to_end_cells(
    due: datetime, emulator: Emulator, count: int
) -> tuple[list[str], bool, float, float]:
    """Wall time, throughput and lag (due instant → published_at, recorded as X's answer
    arrives), and whether the emulator holds each post exactly once."""
    from publishing.models import PostTarget

    published = list(PostTarget.objects.values_list("published_at", "platform_post_id"))
    lags = sorted((at - due).total_seconds() for at, _ in published)
    wall = lags[-1]
    on_x = emulator.x_posts()
    texts = {post["text"] for post in on_x}
    verified = (
        len(on_x) == count
        and len(texts) == count
        and {post["id"] for post in on_x} == {post_id for _, post_id in published}
    )
    cells = [
        f"{wall:.2f}",
        f"{count / wall:.1f}",
        *(f"{percentile(lags, q) * 1000:.0f}" for q in (50, 95, 99)),
        f"{wall * 1000:.0f}",
        str(len(on_x)),
        "ok" if verified else "FAIL",
    ]
    return cells, verified, count / wall, percentile(lags, 99)


@dataclass(frozen=True)
class Round:
    pool: str
    workers: int
    concurrency: int
    reuse: bool
    task_size: int = 1  # posts per publish task: 1 is one task per post
    calls: int = 1  # platform calls in flight per worker process (batched tasks)

    @property
    def batched(self) -> bool:
        return self.task_size > 1

    @property
    def label(self) -> str:
        if self.pool == "solo":
            size = f"x{self.workers}"
        elif self.batched:
            size = f"{self.workers}x{self.concurrency} batch {self.task_size}, {self.calls} calls"
        else:
            size = f"{self.workers}x{self.concurrency} per post"
        return f"{self.pool} {size}{' reuse' if self.reuse else ''}"


def rounds_of(args: argparse.Namespace) -> list[Round]:
    reuse = {"on": True, "off": False}.get(args.db_reuse)
    threads_reuse = reuse in (None, True)
    solo = [Round("solo", n, 1, bool(reuse)) for n in args.workers]
    per_post = [Round("threads", n, args.concurrency, threads_reuse) for n in args.thread_workers]
    batched = [
        Round("threads", n, args.batch_concurrency, threads_reuse, args.task_size, args.calls)
        for n in args.thread_workers
    ]
    threads = {"per-post": per_post, "batched": batched, "both": per_post + batched}[args.design]
    return {"solo": solo, "threads": threads, "both": solo + threads}[args.pool]


def run_round(
    spec: Round, args: argparse.Namespace, emulator: Emulator, broker: redis.Redis, queue: str
) -> tuple[list[str], bool, float, float]:
    """One round's cells, whether it verified, its posts/s and Mixora's CPU ms per post."""
    emulator.prepare(args.posts, args.latency)
    connect_users(emulator)  # the reset killed the previous users and tokens
    broker.delete(queue)
    for key in broker.scan_iter(match=f"{queue.rsplit('.', 1)[0]}*publish-budget*", count=1000):
        broker.delete(key)  # a fresh X window per round, as the emulator's reset gives
    processes, names = start_workers(spec, queue.rsplit(".", 1)[0])
    meter = CpuMeter([p.pid for p in processes], emulator.process.pid, args.database, broker)
    try:
        wait_ready(processes, names)
        due = make_due()
        meter.begin()
        dispatch_cpu = time.process_time()
        timing = timed_dispatch(broker, queue)
        dispatch_cpu = time.process_time() - dispatch_cpu
        wait_published(args.posts, args.timeout, processes)
        cpu = meter.end()
    finally:
        stop(processes)
    cells, verified, rate, p99 = end_to_end_cells(due, emulator, args.posts)
    per_post = {name: seconds * 1000 / args.posts for name, seconds in cpu.items()}
    dispatcher = dispatch_cpu * 1000 / args.posts
    mixora = per_post["workers"] + dispatcher + per_post["postgres"] + per_post["redis"]
    cpu_cells = [
        f"{per_post['workers']:.2f}",
        f"{dispatcher:.2f}",
        f"{per_post['postgres']:.2f}",
        f"{per_post['redis']:.2f}",
        f"{mixora:.2f}",
        f"{per_post['emulator']:.2f}",
    ]
    return [spec.label, *timing.cells(), *cells, *cpu_cells], verified, rate, mixora


def end_to_end(
    args: argparse.Namespace, emulator: Emulator, broker: redis.Redis, queue: str
) -> bool:
    rows, all_verified, results = [], True, []
    for spec in rounds_of(args):
        say(f"… {spec.label}")
        row, verified, rate, cpu = run_round(spec, args, emulator, broker, queue)
        rows.append(row)
        results.append((spec, rate, cpu))
        all_verified &= verified
    say(
        f"\n{args.posts:,} posts due at once on {args.accounts} X accounts (one emulator user "
        f"each), X answering in {args.latency * 1000:.0f} ms (+ "
        f"{emulator.round_trip() * 1000:.1f} ms emulator round trip), {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}; lag = due → "
        "published; CPU in ms per post:"
    )
    headers = ["round", *DISPATCH_HEADERS, "wall s", "posts/s"]
    lag = ["lag p50", "p95", "p99", "max ms", "on X", "once"]
    cpu = ["worker", "dispatch", "pg", "redis", "mixora", "emulator"]
    table([*headers, *lag, *cpu], rows)
    # The baseline: the previous design (one task per post) where it ran, else the first.
    baseline = [r for r in results if r[0].pool == "threads" and not r[0].batched]
    baseline = baseline or [r for r in results if r[0].pool == "solo"]
    if baseline:
        base_spec, base_rate, base_cpu = max(baseline, key=lambda r: r[1])
        for spec, rate, cpu_ms in results:
            if spec is not base_spec and (spec.batched or base_spec.pool == "solo"):
                say(
                    f"{spec.label} vs {base_spec.label}: {rate / base_rate:.2f}x posts/s, "
                    f"{cpu_ms / base_cpu:.2f}x Mixora CPU per post"
                )
    say(
        f"Goals: Mixora CPU <= {CPU_GOAL_MS:.0f} ms per post; a 10,000-post burst with p99 lag "
        f"<= {LAG_GOAL:.0f} s (--burst)."
    )
    return all_verified


# --- Main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    queue = f"mixora-bench-{secrets.token_hex(4)}"
    broker = redis.Redis.from_url(redis_url)
    port = free_port()

    use_environment(with_database(base_url, args.database), redis_url, queue, port)
    recreate_database(admin_url, args.database)
    emulator = None
    try:
        setup_django()
        create_posts(create_accounts(args.accounts), args.posts)
        if args.dispatch_only:
            ok = dispatch_only(args, broker, publish_queue())
        else:
            emulator = Emulator(port)
            ok = end_to_end(args, emulator, broker, publish_queue())
    finally:
        from django.db import connections

        from mixora.queues import queue_names

        connections.close_all()
        if emulator:
            stop([emulator.process])
        for name in queue_names():
            broker.delete(
                name, *(f"_kombu.{kind}.{name}" for kind in ("binding", "binding_permanent"))
            )
        for key in broker.scan_iter(match=f"{queue}*", count=1000):  # budgets, bindings
            broker.delete(key)
        if not args.keep:
            drop_database(admin_url, args.database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
