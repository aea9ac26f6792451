"""The processes bench/soak.py runs, started as production runs them, and what they use: memory
and CPU per process tree (from /proc), PostgreSQL sessions, Redis clients and queue lengths."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from publish import ROOT, Emulator, free_port, stop, wait_until

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A line a Celery worker, beat or gunicorn logs when something went wrong.
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|^Traceback")


@dataclass
class Started:
    """One process the soak started, its log file and whether it is Mixora (the emulator and
    the S3 stand-in are measured too, but left out of the verdicts)."""

    name: str
    process: subprocess.Popen
    log: Path | None
    ours: bool = True


@dataclass
class Stack:
    """Everything started, in order; `stop_all` ends them in reverse."""

    directory: Path
    started: list[Started] = field(default_factory=list)
    web_url: str = ""
    commands: dict[str, str] = field(default_factory=dict)  # name -> command line, for the report

    def run(self, name: str, command: list[str], *, ours: bool = True) -> subprocess.Popen:
        log = self.directory / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own programs
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append(Started(name, process, log, ours))
        self.commands[name] = " ".join(command[1:] if command[0] == sys.executable else command)
        return process

    def check_alive(self) -> None:
        for item in self.started:
            if item.process.poll() is not None:
                raise RuntimeError(
                    f"{item.name} exited (status {item.process.returncode}): see {item.log}"
                )

    def error_lines(self) -> dict[str, list[str]]:
        """Error lines in each Mixora process's log."""
        found = {}
        for item in self.started:
            if item.ours and item.log and item.log.exists():
                text = item.log.read_text(errors="replace")
                lines = [line for line in text.splitlines() if ERROR_LINE.search(line)]
                if lines:
                    found[item.name] = lines
        return found

    def stop_all(self, *, ours_only: bool = False) -> None:
        stop([item.process for item in reversed(self.started) if item.ours or not ours_only])


def start_s3(stack: Stack) -> None:
    """moto's S3 server on the port the test settings point the storage at (inbox avatars and
    attachments are copied there), with the bucket the settings name."""
    import boto3
    from django.conf import settings

    options = settings.STORAGES["default"]["OPTIONS"]
    port = str(settings.S3_TEST_PORT)
    stack.run(
        "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", port], ours=False
    )

    def up() -> bool:
        try:
            return requests.get(options["endpoint_url"], timeout=5).status_code < 500
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
            return False

    wait_until(up, 30, "moto's S3 server to start")
    boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto accepts any
        region_name="us-east-1",
    ).create_bucket(Bucket=options["bucket_name"])


def start_emulator(stack: Stack, port: int) -> Emulator:
    emulator = Emulator(port)
    stack.started.append(Started("emulator", emulator.process, None, ours=False))
    stack.commands["emulator"] = f"-m emulator --port {port}"
    return emulator


def start_web(stack: Stack, workers: int) -> None:
    """gunicorn as the Dockerfile runs it (sync workers, 30 s timeout) on a free port."""
    port = free_port()
    stack.web_url = f"http://127.0.0.1:{port}"
    stack.run(
        "web",
        [
            *(sys.executable, "-m", "gunicorn", "mixora.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30"),
            *("--log-level", "warning"),
        ],
    )

    last = ["no answer"]

    def verified() -> bool:
        from django.conf import settings

        stack.check_alive()
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": settings.META_WEBHOOK_VERIFY_TOKEN,
            "hub.challenge": "soak",
        }
        try:
            answer = requests.get(f"{stack.web_url}/webhooks/meta/", params=params, timeout=10)
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or no worker booted
            return False
        last[0] = f"{answer.status_code} {answer.text[:200]}"
        return answer.status_code == 200 and answer.text == "soak"

    try:  # a loaded machine takes a while to boot the workers
        wait_until(verified, 180, "gunicorn to answer Meta's verification handshake")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; its last answer: {last[0]}") from None


def start_celery(stack: Stack, worker_pools: dict[str, tuple[str, int]]) -> None:
    """One worker per queue group, as production will run them (docs/scaling.md), and beat
    (the dispatcher every second, and every other periodic job)."""
    from mixora.queues import queue_names

    for group, (pool, concurrency) in worker_pools.items():
        stack.run(
            f"worker-{group}",
            [
                *(sys.executable, "-m", "celery", "-A", "mixora", "worker"),
                *("--pool", pool, "--concurrency", str(concurrency)),
                *("--without-heartbeat", "--without-mingle", "--without-gossip"),
                *("-l", "warning", "-n", f"{group}@soak"),
                *("-Q", ",".join(queue_names(tuple(group.split("+"))))),
            ],
        )
    schedule = stack.directory / "celerybeat-schedule"
    stack.run(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mixora",
            "beat",
            "-l",
            "warning",
            "-s",
            str(schedule),
        ],
    )
    wait_ready(stack, [f"{group}@soak" for group in worker_pools])


def wait_ready(stack: Stack, names: list[str]) -> None:
    from mixora.celery import app

    answered: set[str] = set()

    def ready() -> bool:
        stack.check_alive()
        for reply in app.control.ping(destination=names, timeout=0.5):
            answered.update(reply)
        return answered >= set(names)

    wait_until(ready, 90, f"{len(names)} workers to answer a ping")


# --- What the processes use ----------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _tree(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def _memory_and_cpu(pid: int) -> tuple[int, float]:
    """Proportional set size (shared pages divided among their users, so a prefork pool is not
    counted twice) in bytes, and CPU seconds used so far."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE).group(1)) * 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, AttributeError):
        return 0, 0.0  # it just exited
    return pss, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def usage(stack: Stack) -> dict[str, tuple[float, float, int]]:
    """name -> (MiB, CPU seconds, processes) of each started process with its children."""
    tree = _children()
    result = {}
    for item in stack.started:
        pids = _tree(item.process.pid, tree)
        measured = [_memory_and_cpu(pid) for pid in pids]
        result[item.name] = (
            sum(m for m, _ in measured) / 2**20,
            sum(c for _, c in measured),
            len(pids),
        )
    return result


def postgres_sessions(database: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]


def redis_clients(broker: redis.Redis) -> int:
    """Clients connected to this soak's Redis database (others share the server)."""
    db = broker.connection_pool.connection_kwargs.get("db", 0)
    return sum(1 for client in broker.client_list() if int(client.get("db", -1)) == db) - 1


def queue_lengths(broker: redis.Redis) -> dict[str, int]:
    from mixora.queues import ALL, queue_names

    lengths = {name: broker.llen(full) for name, full in zip(ALL, queue_names(), strict=True)}
    lengths["unacked"] = broker.hlen("unacked")  # kombu's Redis transport: delivered, not acked
    return lengths
