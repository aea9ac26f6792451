"""Benchmark of the publisher: the dispatcher, then real Celery workers publishing to X on the
platform emulator.

    .venv/bin/python bench/publish.py --posts 300 --accounts 10 --latency 0.05 --workers 1 2 4
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
REDIRECT_URI = "http://127.0.0.1/bench/callback"  # never visited: the code is read off it
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DISPATCH_TARGET = 1.0  # seconds: the architecture's budget for 10,000 posts due at once


# --- Command line and output -------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="posts due at once (default 300)")
    parser.add_argument("--accounts", type=int, default=10, help="X accounts (default 10)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds X takes per post (default 0.05)"
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts (default 1 2 4)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds a round may take (default 600)"
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
    if args.posts < 1 or args.accounts < 1 or min(args.workers) < 1 or args.repeat < 1:
        parser.error("--posts, --accounts, --workers and --repeat must be at least 1")
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
        return self.control("GET", f"posts?platform=x&account_id={X_USER_ID}")


# --- Django: settings, data --------------------------------------------------------------


def use_environment(database_url: str, redis_url: str, queue: str, emulator_port: int) -> None:
    """The test settings on the bench database, queue and emulator, for this process and the
    workers it starts (they inherit the environment)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mixora.settings.test",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TEST_QUEUE=queue,
        EMULATOR_TEST_PORT=str(emulator_port),
    )


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_accounts(count: int) -> list[ConnectedAccount]:
    """`count` X accounts, one per workspace (a workspace connects an account once), all the
    emulator's seeded user: the emulator keys posts by the token's user."""
    from accounts.models import Workspace
    from connections.models import ConnectedAccount

    workspaces = Workspace.objects.bulk_create(
        Workspace(name=f"Bench {i}", slug=f"bench-{i}") for i in range(count)
    )
    return ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform="x",
            external_id=X_USER_ID,
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


def x_grant() -> Grant:
    """A token for the seeded X user through the real OAuth client: the consent page clicked
    like a browser would, then XConnector.complete (oauth_flow keeps its state in a session)."""
    from connections.platforms.base import pkce_pair
    from connections.platforms.x.connector import XConnector
    from tests.connections.consent import consent, query

    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    connector = XConnector()
    back = query(consent(connector.authorization_url(REDIRECT_URI, state, challenge)))
    if back.get("state") != state or "code" not in back:
        raise RuntimeError(f"the X consent did not return a code: {back}")
    grant = connector.complete(back["code"], REDIRECT_URI, verifier)
    if grant.profiles[0].external_id != X_USER_ID:
        raise RuntimeError(f"the X consent connected {grant.profiles[0].external_id}")
    return grant


def use_tokens(grant: Grant) -> None:
    from connections.models import ConnectedAccount

    tokens = grant.tokens
    ConnectedAccount.objects.update(
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


def start_workers(count: int, queue: str) -> tuple[list[subprocess.Popen], list[str]]:
    """`count` solo-pool workers on the bench queue, as tests/publishing/test_worker.py runs
    one; the environment (database, queue, emulator) is this process's."""
    names = [f"{queue}-{i}@bench" for i in range(count)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own worker
            [
                *(sys.executable, "-m", "celery", "-A", "mixora", "--quiet", "worker"),
                *("--pool=solo", "--without-heartbeat", "--without-mingle", "--without-gossip"),
                *("-l", "warning", "-Q", queue, "-n", name),
            ],
            cwd=ROOT,
            start_new_session=True,
        )
        for name in names
    ]
    return processes, names


def wait_ready(processes: list[subprocess.Popen], names: list[str]) -> None:
    from mixora.celery import app

    answered: set[str] = set()

    def ready() -> bool:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a worker exited on start")
        for reply in app.control.ping(destination=names, timeout=0.5):
            answered.update(reply)
        return answered >= set(names)

    wait_until(ready, 60, f"{len(names)} workers to answer a ping")


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


def end_to_end_cells(due: datetime, emulator: Emulator, count: int) -> tuple[list[str], bool]:
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
    return cells, verified


def run_round(
    workers: int, args: argparse.Namespace, emulator: Emulator, broker: redis.Redis, queue: str
) -> tuple[list[str], bool]:
    emulator.prepare(args.posts, args.latency)
    use_tokens(x_grant())  # the reset killed the previous token
    broker.delete(queue)
    processes, names = start_workers(workers, queue)
    try:
        wait_ready(processes, names)
        due = make_due()
        timing = timed_dispatch(broker, queue)
        wait_published(args.posts, args.timeout, processes)
    finally:
        stop(processes)
    cells, verified = end_to_end_cells(due, emulator, args.posts)
    return [str(workers), *timing.cells(), *cells], verified


def end_to_end(
    args: argparse.Namespace, emulator: Emulator, broker: redis.Redis, queue: str
) -> bool:
    rows, all_verified = [], True
    for workers in args.workers:
        say(f"… {workers} worker(s)")
        row, verified = run_round(workers, args, emulator, broker, queue)
        rows.append(row)
        all_verified &= verified
    say(
        f"\n{args.posts:,} posts due at once on {args.accounts} X accounts, X answering in "
        f"{args.latency * 1000:.0f} ms (+ {emulator.round_trip() * 1000:.0f} ms emulator round "
        f"trip), {os.cpu_count()} cores; lag = due → published:"
    )
    headers = ["workers", *DISPATCH_HEADERS, "wall s", "posts/s"]
    table([*headers, "lag p50", "p95", "p99", "max ms", "on X", "once"], rows)
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
            ok = dispatch_only(args, broker, queue)
        else:
            emulator = Emulator(port)
            ok = end_to_end(args, emulator, broker, queue)
    finally:
        from django.db import connections

        connections.close_all()
        if emulator:
            stop([emulator.process])
        broker.delete(
            queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))
        )
        if not args.keep:
            drop_database(admin_url, args.database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
