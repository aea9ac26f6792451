"""Soak: publishing and webhooks together for minutes, with the emulator failing about 1 % of
X publish calls with a 5xx and 1 % by accepting and never answering; then every post must be
on X exactly once, every webhook delivery one message, nothing failed, and the memory and
connection counts flat over time.

    .venv/bin/python bench/soak.py                      # 10 minutes at the goal rates
    .venv/bin/python bench/soak.py --minutes 1 --publish-rate 20 --webhook-rate 50   # a try

Runs on its own PostgreSQL database (dropped and created each run), its own Redis queues, an
emulator, moto's S3, gunicorn, a Celery worker per queue and beat, all on 127.0.0.1.
bench/README.md says what is measured."""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import redis

# The project before bench/ on sys.path: bench/inbox.py is named like the inbox app.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _soak_load import (  # in bench/, this script's directory
    FaultInjector,
    Pace,
    PostFeeder,
    WebhookSender,
    page_account,
    x_accounts,
)
from _soak_stack import (
    Stack,
    postgres_sessions,
    queue_lengths,
    redis_clients,
    start_celery,
    start_emulator,
    start_s3,
    start_web,
    usage,
)
from publish import (
    drop_database,
    free_port,
    loopback,
    percentile,
    recreate_database,
    say,
    setup_django,
    table,
    use_environment,
    wait_until,
    with_database,
)

FLAT = 0.10  # the last third of the run within 10 % of the middle third
CONNECTION_SLACK = 2  # … or within this many connections (small counts jump by whole ones)
MIN_SAMPLES = 9  # under load, for a verdict that counts (a 1-minute try is all warm-up)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="load time (default 10)")
    parser.add_argument(
        "--publish-rate", type=float, default=500, help="posts due per second (default 500)"
    )
    parser.add_argument(
        "--webhook-rate", type=float, default=1000, help="deliveries per second (default 1000)"
    )
    parser.add_argument(
        "--fault-share",
        type=float,
        default=0.01,
        help="share of X publish calls answered 5xx, and again of calls accepted then never "
        "answered (default 0.01 each)",
    )
    parser.add_argument(
        "--per-account",
        type=int,
        default=90,
        help="posts per X account per 15 minutes; X allows 100 POST /2/tweets per user per "
        "15 minutes, retries included (default 90)",
    )
    parser.add_argument("--sample", type=float, default=15, help="seconds between samples")
    parser.add_argument(
        "--drain", type=float, default=300, help="seconds to finish after the load (default 300)"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="threads posting webhooks (default 8)"
    )
    parser.add_argument("--senders", type=int, default=500, help="people writing (default 500)")
    parser.add_argument(
        "--web-workers", type=int, default=3, help="gunicorn sync workers (default 3, as deployed)"
    )
    parser.add_argument(
        "--publish-worker",
        default="threads:8",
        help="pool:concurrency of the publish queue's worker (default threads:8, as in "
        "docker-compose.yml: each thread runs a publish task of 25 posts)",
    )
    parser.add_argument(
        "--inbox-worker", default="threads:8", help="… of the inbox queue's (default threads:8)"
    )
    parser.add_argument(
        "--other-worker", default="prefork:2", help="… of default+bulk's (default prefork:2)"
    )
    parser.add_argument(
        "--database",
        default="mixora_bench_soak",
        help="dropped and created (default mixora_bench_soak)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if min(args.minutes, args.publish_rate, args.webhook_rate, args.sample) <= 0:
        parser.error("--minutes, the rates and --sample must be positive")
    if not 0 < args.fault_share <= 0.5 or args.per_account < 1 or args.clients < 1:
        parser.error("--fault-share in (0, 0.5], --per-account and --clients at least 1")
    if "bench" not in args.database:
        parser.error("--database is dropped each run: its name must contain 'bench'")
    for name in ("publish_worker", "inbox_worker", "other_worker"):
        pool, _, concurrency = getattr(args, name).partition(":")
        if pool not in ("threads", "prefork", "solo", "gevent") or not concurrency.isdigit():
            parser.error(f"--{name.replace('_', '-')} is pool:concurrency, e.g. threads:32")
        setattr(args, name, (pool, int(concurrency)))
    return args


# --- Samples -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the load started
    memory: dict[str, float]  # process -> MiB (PSS of it and its children)
    cpu: dict[str, float]  # process -> CPU seconds so far
    postgres: int
    redis: int
    queues: dict[str, int]
    published: int
    messages: int


class Sampler(threading.Thread):
    def __init__(self, stack: Stack, broker: redis.Redis, args: argparse.Namespace, page_id: int):
        super().__init__(name="sampler", daemon=True)
        self.stack, self.broker, self.args, self.page_id = stack, broker, args, page_id
        self.samples: list[Sample] = []
        self.start_at = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            n = 0
            while not self.stopping.wait(
                max(0, self.start_at + n * self.args.sample - time.monotonic())
            ):
                self.samples.append(self.take())
                n += 1
        finally:
            connection.close()

    def take(self) -> Sample:
        from inbox.models import Message
        from publishing.models import PostTarget

        used = usage(self.stack)
        return Sample(
            at=time.monotonic() - self.start_at,
            memory={name: mib for name, (mib, _, _) in used.items()},
            cpu={name: cpu for name, (_, cpu, _) in used.items()},
            postgres=postgres_sessions(self.args.database),
            redis=redis_clients(self.broker),
            queues=queue_lengths(self.broker),
            published=PostTarget.objects.filter(state=PostTarget.State.PUBLISHED).count(),
            messages=Message.objects.filter(account_id=self.page_id).count(),
        )


def change(values: list[float]) -> tuple[float, float, float]:
    """Mean of the middle third, of the last third, and the relative change."""
    third = max(1, len(values) // 3)
    middle = statistics.fmean(values[third : 2 * third] or values[:1])
    last = statistics.fmean(values[-third:])
    return middle, last, (last - middle) / middle if middle else 0.0


def flat_verdicts(samples: list[Sample], ours: list[str]) -> list[tuple[str, str, bool]]:
    """(series, "middle → last (change)", flat?) for each Mixora process's memory and the
    connection counts, over the samples taken under load."""
    series: dict[str, list[float]] = {
        f"{name} MiB": [s.memory[name] for s in samples] for name in ours
    }
    series["PostgreSQL sessions"] = [s.postgres for s in samples]
    series["Redis clients"] = [s.redis for s in samples]
    verdicts = []
    for name, values in series.items():
        middle, last, relative = change(values)
        slack = CONNECTION_SLACK if not name.endswith("MiB") else 0
        flat = abs(relative) <= FLAT or abs(last - middle) <= slack
        verdicts.append((name, f"{middle:.1f} → {last:.1f} ({relative:+.1%})", flat))
    return verdicts


def print_series(samples: list[Sample], names: list[str]) -> None:
    queues = list(samples[0].queues)
    rows = []
    previous = None
    for s in samples:
        span = s.at - previous.at if previous else 0.0

        def rate(now: int, before: int, span: float = span) -> str:
            return f"{(now - before) / span:.0f}" if span else "-"

        rows.append(
            [
                f"{s.at:.0f}",
                *(f"{s.memory[name]:.0f}" for name in names),
                str(s.postgres),
                str(s.redis),
                *(str(s.queues[q]) for q in queues),
                rate(s.published, previous.published if previous else 0),
                rate(s.messages, previous.messages if previous else 0),
            ]
        )
        previous = s
    table(
        [
            "t s",
            *(f"{n} MiB" for n in names),
            "pg",
            "redis",
            *(f"q {q}" for q in queues),
            "posts/s",
            "msgs/s",
        ],
        rows,
    )


# --- The run -------------------------------------------------------------------------------


@dataclass
class Run:
    args: argparse.Namespace
    stack: Stack
    broker: redis.Redis
    tag: str
    accounts: int = 0
    start_wall: float = 0.0
    feeder: PostFeeder | None = None
    sender: WebhookSender | None = None
    faults: FaultInjector | None = None
    sampler: Sampler | None = None
    drained_in: float | None = None
    reconciled: int = 0  # timeline reads: a target's outcome was unknown


def prepare(run: Run, emulator_port: int) -> int:
    """The stack up, the accounts connected; the Page's ConnectedAccount id."""
    args = run.args
    start_s3(run.stack)
    emulator = start_emulator(run.stack, emulator_port)
    seconds = args.minutes * 60
    run.accounts = math.ceil(args.publish_rate * min(seconds, 900) / args.per_account)
    began = time.perf_counter()
    x_accounts(emulator, run.accounts)
    page = page_account(emulator, args.senders)
    say(
        f"  {run.accounts} X accounts and the Page connected in {time.perf_counter() - began:.0f} s"
    )
    start_web(run.stack, args.web_workers)
    start_celery(
        run.stack,
        {
            "publish": args.publish_worker,
            "inbox": args.inbox_worker,
            "default+bulk": args.other_worker,
        },
    )
    run.faults = FaultInjector(emulator, args.fault_share, timeout_delay())
    return page.pk


def timeout_delay() -> float:
    """How long an accepted-then-timed-out call is held: past the client's read timeout."""
    from django.conf import settings

    return float(settings.PLATFORM_HTTP_TIMEOUT[1]) + 2


def load(run: Run, page_id: int) -> None:
    from connections.models import ConnectedAccount

    args = run.args
    seconds = args.minutes * 60
    accounts = list(ConnectedAccount.objects.filter(platform="x").order_by("pk"))
    start = time.monotonic() + 1
    run.start_wall = time.time() + 1
    post_pace = Pace(args.publish_rate, seconds, start)
    hook_pace = Pace(args.webhook_rate, seconds, start)
    run.feeder = PostFeeder(post_pace, accounts, run.tag, lead=2.0)
    run.sender = WebhookSender(hook_pace, run.stack.web_url, args.clients, run.tag, args.senders)
    run.sampler = Sampler(run.stack, run.broker, args, page_id)
    run.sampler.start_at = start
    for part in (run.feeder, run.sender, run.faults, run.sampler):
        part.start()
    end = start + seconds
    next_report = start + 60
    while time.monotonic() < end:
        time.sleep(min(5, max(0.1, end - time.monotonic())))
        run.stack.check_alive()
        for part in (run.feeder, run.faults):
            if part.error:
                raise RuntimeError(f"{part.name} failed") from part.error
        if time.monotonic() >= next_report:
            say(f"  … {(next_report - start) / 60:.0f} min")
            next_report += 60
    run.feeder.join()
    run.sender.join()
    run.faults.stopping.set()
    run.faults.join()


def drain(run: Run, page_id: int) -> None:
    """Until every target is settled and every accepted delivery processed, or the deadline."""
    from inbox.models import Message, WebhookDelivery
    from publishing.models import PostTarget

    S = PostTarget.State
    expected = len(run.sender.accepted)
    began = time.monotonic()

    def settled() -> bool:
        run.stack.check_alive()
        pending = PostTarget.objects.filter(state__in=[S.SCHEDULED, S.QUEUED, S.PUBLISHING])
        return (
            not pending.exists()
            and not WebhookDelivery.objects.exists()
            and Message.objects.filter(account_id=page_id).count() >= expected
            and not any(queue_lengths(run.broker).values())  # avatars, lookups: all done
        )

    try:
        wait_until(settled, run.args.drain, "the drain")
        run.drained_in = time.monotonic() - began
    except RuntimeError as exc:
        if "timed out" not in str(exc):
            raise
    run.sampler.stopping.set()
    run.sampler.join()


# --- Verification and the report -----------------------------------------------------------


@dataclass
class Outcome:
    lost: Counter[str]
    doubled: Counter[str]
    errors: Counter[str]


def verify(run: Run, emulator_url: str, page_id: int) -> Outcome:
    import requests

    from inbox.models import Message, WebhookDelivery
    from publishing.models import PostTarget

    S = PostTarget.State
    lost, doubled, errors = Counter(), Counter(), Counter()
    targets = list(
        PostTarget.objects.values_list("state", "platform_post_id", "post__text", "last_error")
    )
    on_x = requests.get(f"{emulator_url}/_control/posts?platform=x", timeout=300).json()
    texts = Counter(post["text"] for post in on_x)
    by_id = {post["id"]: post["text"] for post in on_x}
    mine = {text for _, _, text, _ in targets}
    for state, post_id, text, reason in targets:
        if state in (S.FAILED, S.NEEDS_ATTENTION):
            errors[f"targets {state}: {reason[:150]}"] += 1
        if state != S.PUBLISHED:
            where = "on X, but Mixora has the target" if texts[text] else "not on X, the target"
            lost[f"posts {where} {state}"] += 1
        elif by_id.get(post_id) != text:
            lost["posts whose recorded id is not their text on X"] += 1
        elif texts[text] > 1:
            doubled["posts on X more than once"] += texts[text] - 1
    doubled["posts on X that no target made"] += sum(1 for t in texts if t not in mine)

    stored = Counter(
        Message.objects.filter(account_id=page_id).values_list("external_id", flat=True)
    )
    accepted = set(run.sender.accepted)
    lost["deliveries accepted, no message"] = len(accepted - set(stored))
    doubled["deliveries stored more than once"] = sum(n - 1 for n in stored.values() if n > 1)
    doubled["messages of no accepted delivery"] = len(set(stored) - accepted)
    errors["deliveries left (failed or unprocessed)"] = WebhookDelivery.objects.count()
    run.reconciled = len(
        requests.get(
            f"{emulator_url}/_control/requests?platform=x&endpoint=x.user_tweets", timeout=60
        ).json()
    )
    for refusal, count in run.sender.refused.items():
        errors[f"web answered {refusal}"] += count
    for name, lines in run.stack.error_lines().items():
        errors[f"error lines in the {name} log"] = len(lines)
    return Outcome(+lost, +doubled, +errors)


def per_minute(run: Run) -> list[list[str]]:
    from publishing.models import PostTarget

    published = Counter(
        int((at.timestamp() - run.start_wall) // 60)
        for at in PostTarget.objects.exclude(published_at=None).values_list(
            "published_at", flat=True
        )
    )
    args = run.args
    minutes = math.ceil(args.minutes)
    rows = []
    for m in range(max(minutes, *(published or [0])) + 1):
        share = min(1.0, args.minutes - m) if m < minutes else 0.0
        rows.append(
            [
                str(m + 1) + ("" if m < minutes else " (drain)"),
                f"{args.publish_rate * share * 60:.0f}",
                str(run.feeder.created[m]),
                str(published[m]),
                f"{published[m] / 60:.1f}",
                f"{args.webhook_rate * share * 60:.0f}",
                str(run.sender.sent[m]),
                str(run.sender.ok[m]),
                f"{run.sender.ok[m] / 60:.1f}",
            ]
        )
    return rows


def lags() -> str:
    from publishing.models import PostTarget

    spans = sorted(
        (published - due).total_seconds()
        for published, due in PostTarget.objects.exclude(published_at=None).values_list(
            "published_at", "post__scheduled_at"
        )
    )
    if not spans:
        return "nothing published"
    return ", ".join(
        f"{name} {percentile(spans, q):.1f} s"
        for name, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
    )


def report(run: Run, outcome: Outcome) -> bool:
    args, samples = run.args, run.sampler.samples
    ours = [item.name for item in run.stack.started if item.ours]
    names = [item.name for item in run.stack.started]
    say("\nCommands (the test settings; the environment names the database, queues, emulator):")
    for name, command in run.stack.commands.items():
        say(f"  {name}: {command}")
    say(
        f"\nTarget vs reached, per minute ({run.accounts} X accounts, {args.fault_share:.0%} 5xx "
        f"and {args.fault_share:.0%} accept-then-timeout injected: {run.faults.injected} of each "
        f"over ~{run.faults.calls} publish calls; post feeder at most "
        f"{run.feeder.behind:.1f} s late):"
    )
    table(
        [
            "minute",
            "posts due",
            "created",
            "published",
            "/s",
            "hooks due",
            "sent",
            "accepted",
            "/s",
        ],
        per_minute(run),
    )
    hook_lat = sorted(run.sender.latencies)
    if hook_lat:
        say(
            f"Webhook answer times: p50 {percentile(hook_lat, 50) * 1000:.0f} ms, "
            f"p99 {percentile(hook_lat, 99) * 1000:.0f} ms."
        )
    say(f"Due → published: {lags()}.")
    drained = f"in {run.drained_in:.0f} s" if run.drained_in is not None else "NOT within"
    say(f"Drain after the load: {drained} (limit {args.drain:.0f} s).")
    say(f"Reconciliations (X timeline reads before a resend): {run.reconciled}.")

    load_samples = [s for s in samples if s.at <= args.minutes * 60 + 1]
    say(f"\nEvery {args.sample:.0f} s (memory = PSS of the process and its children):")
    print_series(samples, names)
    if samples:
        first, last = samples[0], samples[-1]
        used = ", ".join(f"{n} {last.cpu[n] - first.cpu[n]:.0f}" for n in names)
        say(
            f"CPU seconds from the first to the last sample: {used} "
            f"(wall {last.at - first.at:.0f} s)."
        )
    say(
        "\nFlat? (mean of the middle third of the load vs the last third, within 10 %; "
        f"connections within {CONNECTION_SLACK}):"
    )
    verdicts = flat_verdicts(load_samples, ours) if len(load_samples) >= 3 else []
    table(
        ["series", "middle → last", "flat"],
        [[n, c, "yes" if f else "NO"] for n, c, f in verdicts] or [["too few samples", "-", "-"]],
    )
    flat = all(f for _, _, f in verdicts)
    judged = len(load_samples) >= MIN_SAMPLES

    say(f"\nLoad average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    for title, counts in (
        ("lost", outcome.lost),
        ("doubled", outcome.doubled),
        ("errors", outcome.errors),
    ):
        say(f"{sum(counts.values())} {title}")
        for what, count in counts.items():
            say(f"    {what}: {count}")
    clean = not (outcome.lost or outcome.doubled or outcome.errors)
    if not judged:
        say(f"Memory and connections: too few samples under load to judge (< {MIN_SAMPLES}).")
        return clean
    say(f"Memory and connections flat: {'yes' if flat else 'NO'}.")
    return clean and flat


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    tag = secrets.token_hex(3)
    queue = f"mixora-soak-{tag}"
    emulator_port = free_port()
    use_environment(with_database(base_url, args.database), redis_url, queue, emulator_port)
    os.environ["LOG_LEVEL"] = "WARNING"  # an INFO line per platform call would cost CPU
    os.environ["S3_TEST_PORT"] = str(free_port())
    logs = Path(tempfile.mkdtemp(prefix=f"mixora-soak-{tag}-"))
    broker = redis.Redis.from_url(redis_url)
    run = Run(args, Stack(logs), broker, tag)
    say(
        f"Soak {tag}: {args.minutes:g} min, {args.publish_rate:g} posts/s, "
        f"{args.webhook_rate:g} webhooks/s; logs in {logs}"
    )
    recreate_database(admin_url, args.database)
    ok = False
    try:
        setup_django()
        page_id = prepare(run, emulator_port)
        say("  load …")
        load(run, page_id)
        say("  drain …")
        drain(run, page_id)
        run.stack.stop_all(ours_only=True)  # their logs complete; the emulator still answers
        outcome = verify(run, f"http://127.0.0.1:{emulator_port}", page_id)
        ok = report(run, outcome)
    finally:
        from django.db import connections

        run.stack.stop_all()
        connections.close_all()
        from mixora.queues import queue_names

        mine = [*queue_names(), "unacked", "unacked_index", "unacked_mutex"]
        for pattern in (f"_kombu.binding*.{queue}.*", f"{queue}:*"):  # bindings, cache keys
            mine.extend(broker.scan_iter(match=pattern, count=1000))
        broker.delete(*mine)
        if not args.keep:
            drop_database(admin_url, args.database)
        if ok:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            say(f"Logs kept in {logs}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
