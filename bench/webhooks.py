"""Benchmark of webhook deliveries: signed Meta webhooks accepted by gunicorn (signature checked,
stored, enqueued), then processed into conversations by Celery workers.

    .venv/bin/python bench/webhooks.py                      # the default run (~3 min)
    .venv/bin/python bench/webhooks.py --server sync gthread --workers 1 2
    .venv/bin/python bench/webhooks.py --profile            # and where the time goes
    .venv/bin/python bench/webhooks.py --kinds message --pictures apart  # copies timed apart

Its own PostgreSQL database (recreated; its name must contain "bench"), its own Redis queues,
gunicorn and the emulator on free ports, all on 127.0.0.1. Settings: the test settings with
what production runs (database connections kept, CONN_MAX_AGE=60; workers reusing theirs,
CELERY_DB_REUSE_MAX) and local file storage for the pictures. bench/README.md says what is
measured; the ratio column compares with the previous design (BASELINE, measured on this
machine before the change with bench/inbox.py's webhook part)."""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import hmac
import io
import json
import os
import pstats
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, before bench/

from publish import (  # bench/publish.py: the shared plumbing
    ROOT,
    Emulator,
    drop_database,
    free_port,
    loopback,
    percentile,
    recreate_database,
    say,
    stop,
    table,
    wait_ready,
    wait_until,
    with_database,
)

if TYPE_CHECKING:
    from connections.models import ConnectedAccount

HOOKS_SLUG = "bench-hooks"
PAGE_ID = "20000000000001"  # the emulator's seeded Facebook Page (docs/emulator.md)
PSID_BASE = 7_100_000_000_000_000  # people who message the Page: numeric ids, like Meta's
REDIRECT_URI = "http://127.0.0.1/bench/callback"  # never visited: the code is read off it
FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elena",
    "Fatima",
    "Gabriel",
    "Hana",
    "Ivan",
    "Julia",
]
# The previous design (a Celery task and a dozen queries per delivery, every middleware on the
# webhook URL), measured with bench/inbox.py --part webhooks --conn-max-age 60
# --db-reuse-max 1000 before the change; 2000 deliveries, 3 sync workers, 2 Celery workers.
BASELINE = {
    "accepted": 440.0,  # deliveries/s, either kind (400-480 in bench/README.md)
    "comment": 135.0,  # processed/s with 2 workers
    "message": 94.0,
}
PICTURES = "bench-pictures"  # --pictures apart: the picture tasks' own queue
PICTURE_TASKS = ("inbox.tasks.fetch_participant_avatars", "inbox.tasks.fetch_participant_avatar")
BASELINE_NOTE = "bench/README.md's figures (load about 2); see BASELINE"


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--deliveries", type=int, default=3000, help="webhook POSTs per round (default 3000)"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent client connections (default 8)"
    )
    parser.add_argument(
        "--server",
        nargs="+",
        choices=["sync", "gthread"],
        default=["sync"],
        help="gunicorn worker classes to accept with (default sync, as the Dockerfile)",
    )
    parser.add_argument(
        "--web-workers", type=int, default=3, help="gunicorn worker processes (default 3)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gthread worker (default 4)"
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=["comment", "message"],
        default=["comment", "message"],
        help="delivery kinds (default comment message)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[2],
        help="Celery worker processes (solo pool) on the inbox queue, per round (default 2)",
    )
    parser.add_argument(
        "--pictures",
        choices=["inline", "apart"],
        default="inline",
        help="inline: the profile pictures are copied by the same inbox workers during the "
        "round, as in production (default); apart: their tasks wait on a queue of their own, "
        "copied and timed after the round (a 'pictures' row)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the accept view and the processing in this process",
    )
    parser.add_argument(
        "--database",
        default="mixora_bench_webhooks",
        help="recreated on every run (default mixora_bench_webhooks)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if min(args.deliveries, args.clients, args.web_workers, args.threads, *args.workers) < 1:
        parser.error("--deliveries, --clients, --web-workers, --threads, --workers: >= 1")
    if "bench" not in args.database:
        parser.error("--database is dropped and recreated: its name must contain 'bench'")
    return args


# --- The deliveries ------------------------------------------------------------------------


def psid(i: int) -> str:
    return str(PSID_BASE + i)


def webhook_body(kind: str, i: int, tag: str) -> bytes:
    """One Meta delivery, one event, as docs/emulator.md describes Meta's bodies: a Messenger
    message from person i (no name: Meta sends only the id), or a comment on a Page post
    (feed changes carry the commenter's name). Compact JSON, non-ASCII escaped, like Meta."""
    now = time.time()
    text = f"Olá! A encomenda {tag}-{i} já saiu? Obrigada."
    if kind == "message":
        entry = {
            "id": PAGE_ID,
            "time": int(now * 1000),
            "messaging": [
                {
                    "sender": {"id": psid(i)},
                    "recipient": {"id": PAGE_ID},
                    "timestamp": int(now * 1000),
                    "message": {"mid": f"m_bench_{tag}_{i}", "text": text},
                }
            ],
        }
    else:
        post = f"{PAGE_ID}_{1 + i % 20}"
        value = {
            "item": "comment",
            "verb": "add",
            "comment_id": f"{1 + i % 20}_{tag}{i}",
            "post_id": post,
            "parent_id": post,
            "message": text,
            "from": {"id": psid(i), "name": f"Bench Commenter {i}"},
            "created_time": int(now),
        }
        entry = {"id": PAGE_ID, "time": int(now), "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}, separators=(",", ":")).encode()


def signed(body: bytes) -> dict[str, str]:
    """X-Hub-Signature-256 with the test settings' Meta app secret, the way Meta signs."""
    from django.conf import settings

    secret = settings.PLATFORM_CREDENTIALS["meta"][1].encode()
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(),
    }


# --- CPU accounting ----------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (the ones that exited count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def children(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    found = [pid]
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(path.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(path.parent.name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


def backends(database: str) -> list[int]:
    """PostgreSQL backends serving the bench database (the server runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU of groups of processes over a round: {group: seconds}."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.start = {name: cpu_seconds(pids) for name, pids in groups.items()}

    def stop(self, late: dict[str, list[int]] | None = None) -> dict[str, float]:
        """`late`: processes that joined a group meanwhile (new database backends)."""
        for name, pids in (late or {}).items():
            self.groups[name] = sorted({*self.groups[name], *pids})
        return {
            name: cpu_seconds(pids) - self.start.get(name, 0.0)
            for name, pids in self.groups.items()
        }


# --- The web server and the client ---------------------------------------------------------


class WebServer:
    """gunicorn as production runs it: `sync` workers (the Dockerfile's) or `gthread`."""

    def __init__(self, kind: str, workers: int, threads: int) -> None:
        port = free_port()
        self.port = port
        self.description = (
            f"gunicorn {workers} sync workers"
            if kind == "sync"
            else f"gunicorn {workers} gthread workers x {threads} threads"
        )
        extra = (
            ["--worker-class", "gthread", "--threads", str(threads)] if kind == "gthread" else []
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own app
            [
                *(sys.executable, "-m", "gunicorn", "mixora.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30"),
                *("--log-level", "warning", *extra),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until(self._up, 300, "gunicorn to answer")
        except BaseException:
            stop([self.process])
            raise

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("gunicorn exited on start (its error is above)")
        try:
            post_all(self.port, [webhook_body("comment", 0, "up")], 1)
        except OSError:
            return False
        return True

    def pids(self) -> list[int]:
        return children(self.process.pid)


def request_bytes(port: int, body: bytes) -> bytes:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Length": str(len(body)),
        "User-Agent": "facebookexternalua",
        **signed(body),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /webhooks/meta/ HTTP/1.1\r\n{head}\r\n".encode() + body


def _answer(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes, bool]:
    """One HTTP response off the socket: (status line and body, what followed, closes)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the answer")
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(b":") for x in lines[1:])}
    if b"content-length" not in fields:
        raise RuntimeError("an answer without Content-Length")
    length = int(fields[b"content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid-answer")
        rest += chunk
    closes = fields.get(b"connection", b"").lower() == b"close"
    return lines[0] + b" " + rest[:length], rest[length:], closes


def post_all(port: int, bodies: list[bytes], clients: int) -> tuple[float, list[float]]:
    """POST every body, signed, over `clients` connections (kept alive when the server keeps
    them; sync workers close each); every answer must be 200 EVENT_RECEIVED. A bare socket
    client with the requests rendered before the clock starts, so the client's own CPU stays
    small beside the server's on the same cores. The wall time and each POST's, ascending."""
    prepared = [request_bytes(port, body) for body in bodies]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(share: list[bytes]) -> None:
        mine, sock, buffer = [], None, b""
        try:
            for raw in share:
                start = time.perf_counter()
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    buffer = b""
                sock.sendall(raw)
                answer, buffer, closes = _answer(sock, buffer)
                mine.append(time.perf_counter() - start)
                if not answer.startswith(b"HTTP/1.1 200") or not answer.endswith(b"EVENT_RECEIVED"):
                    failures.append(answer[:300].decode(errors="replace"))
                if closes:
                    sock.close()
                    sock = None
        finally:
            if sock is not None:
                sock.close()
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, [prepared[n::clients] for n in range(clients)]))
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} deliveries refused, e.g. {failures[0]}")
    return seconds, sorted(latencies)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def per(seconds: float, count: int) -> str:
    """CPU milliseconds per delivery."""
    return f"{seconds * 1000 / count:.2f}"


# --- The rounds ----------------------------------------------------------------------------


@dataclass
class Round:
    kind: str
    tag: str


class Hooks:
    """The emulator's Page connected through the real OAuth client (the profile lookups need
    its token), the people who write to it registered, the bench's inbox queue."""

    def __init__(self, args: argparse.Namespace, broker: redis.Redis) -> None:
        from django.conf import settings

        from mixora.queues import INBOX, queue_names

        self.args, self.broker = args, broker
        self.queue = queue_names((INBOX,))[0]
        self.pictures = f"{settings.CELERY_QUEUE_PREFIX}{PICTURES}"
        self.hold = f"{self.queue}-hold"
        self.database = settings.DATABASES["default"]["NAME"]
        self.emulator = Emulator(int(settings.EMULATOR_TEST_PORT))
        self.account = self._account()

    def start(self) -> None:
        self.emulator.control("POST", "reset")
        self._connect_page()
        if "message" in self.args.kinds:
            self._register_people()

    def close(self) -> None:
        stop([self.emulator.process])
        self.broker.delete(self.hold)

    def _account(self) -> ConnectedAccount:
        from accounts.models import Workspace
        from connections.models import ConnectedAccount

        workspace = Workspace.objects.create(slug=HOOKS_SLUG, name="Bench Hooks")
        return ConnectedAccount.objects.create(
            workspace=workspace,
            platform="facebook",
            external_id=PAGE_ID,
            display_name="Demo Co Coffee",
            handle="@demococoffee",
        )

    def _connect_page(self) -> None:
        """The Page token through the real Meta OAuth client and consent page."""
        from connections.platforms.base import pkce_pair
        from connections.platforms.meta.connector import MetaConnector
        from tests.connections.consent import consent, query

        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        connector = MetaConnector()
        back = query(consent(connector.authorization_url(REDIRECT_URI, state, challenge)))
        if back.get("state") != state or "code" not in back:
            raise RuntimeError(f"the Meta consent did not return a code: {back}")
        grant = connector.complete(back["code"], REDIRECT_URI, verifier)
        self.account.access_token = grant.account_tokens[PAGE_ID]
        self.account.scopes = list(grant.tokens.scopes)
        self.account.save(update_fields=["access_token", "scopes"])

    def _register_people(self) -> None:
        """The emulator answers a profile lookup only for someone who messaged the Page."""

        def register(i: int) -> None:
            self.emulator.control(
                "POST",
                "inbound",
                {
                    "platform": "meta",
                    "kind": "message",
                    "account_id": PAGE_ID,
                    "from": {"id": psid(i), "name": f"{FIRST_NAMES[i % 10]} Customer{i}"},
                    "text": "hello",
                    "deliver": False,
                },
            )

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(register, range(self.args.deliveries)))

    def clean(self) -> None:
        from django.core.cache import cache

        from inbox.deliveries import WAKE_KEY
        from inbox.models import Conversation, WebhookDelivery

        Conversation.objects.filter(account=self.account).delete()
        WebhookDelivery.objects.all().delete()
        self.broker.delete(self.queue, self.hold, self.pictures)
        cache.delete(WAKE_KEY)  # the deleted tasks no longer wait: the next delivery sends one

    def lookups(self) -> int:
        return len(self.emulator.control("GET", "requests?platform=meta&endpoint=meta.node"))

    def accept(self, server: WebServer, kind: str, tag: str) -> list[str]:
        from inbox.models import WebhookDelivery

        count = self.args.deliveries
        bodies = [webhook_body(kind, i, tag) for i in range(count)]
        client_before = time.process_time()
        meter = CpuMeter({"web": server.pids(), "db": backends(self.database)})
        seconds, latencies = post_all(server.port, bodies, self.args.clients)
        cpu = meter.stop({"db": backends(self.database)})
        client = time.process_time() - client_before
        stored = WebhookDelivery.objects.count()
        queued = self.broker.llen(self.queue)
        # Deliveries arriving while a task waits send none of their own (inbox/deliveries.py).
        if stored != count or not 1 <= queued <= count:
            raise RuntimeError(f"{stored} deliveries stored and {queued} tasks queued of {count}")
        rate = count / seconds
        own = cpu["web"] + cpu["db"]
        return [
            kind,
            server.description.removeprefix("gunicorn "),
            f"{seconds:.2f}",
            f"{rate:,.0f}",
            f"{rate / BASELINE['accepted']:.1f}x",
            *(ms(percentile(latencies, q)) for q in (50, 95)),
            per(cpu["web"], count),
            per(cpu["db"], count),
            per(client, count),
            f"{(os.cpu_count() or 1) * count / own:,.0f}",
        ]

    def process(self, kind: str, workers: int) -> list[str]:
        """The queued tasks, run by `workers` solo-pool Celery workers: the queue is set aside
        until every worker answers a ping, then put back and the clock starts."""
        from inbox.models import Conversation, Message, WebhookDelivery

        count = self.args.deliveries
        before = self.lookups()
        self.broker.rename(self.queue, self.hold)
        processes, names = start_workers(workers, self.queue)
        try:
            wait_ready(processes, names, timeout=300)
            meter = CpuMeter(
                {
                    "workers": [p.pid for p in processes],
                    "db": backends(self.database),
                    "emulator": [self.emulator.process.pid],
                }
            )
            conversations = Conversation.objects.filter(account=self.account)
            uncopied = conversations.exclude(participant_avatar_url="").filter(
                participant_avatar=""
            )
            apart = self.args.pictures == "apart"
            self.broker.rename(self.hold, self.queue)
            start = time.perf_counter()

            def done() -> bool:
                if any(process.poll() is not None for process in processes):
                    raise RuntimeError("a worker exited mid-run")
                failed = WebhookDelivery.objects.exclude(error="").first()
                if failed:
                    raise RuntimeError(f"delivery {failed.pk} failed: {failed.error}")
                # Processed: stored, and named (a Messenger thread's name comes after the
                # batch commits, from the profile lookups), and, unless the pictures are
                # copied apart, every picture copied.
                return (
                    not WebhookDelivery.objects.exists()
                    and Message.objects.filter(account=self.account).count() == count
                    and not conversations.filter(participant_name="").exists()
                    and (apart or not uncopied.exists())
                )

            wait_until(done, 900, f"{workers} worker(s) to process the deliveries")
            seconds = time.perf_counter() - start
            cpu = meter.stop({"db": backends(self.database)})
        finally:
            stop(processes)
        named = conversations.exclude(participant_name="").count()
        lookups = self.lookups() - before
        expected = (count, count, count if kind == "message" else 0)
        if (conversations.count(), named, lookups) != expected:
            raise RuntimeError(
                f"{kind}: {conversations.count()} conversations, {named} named, {lookups} "
                f"lookups; expected {expected}"
            )
        rate = count / seconds
        own = cpu["workers"] + cpu["db"]
        return [
            kind,
            str(workers),
            str(lookups),
            f"{seconds:.2f}",
            f"{rate:,.0f}",
            f"{rate / BASELINE[kind]:.1f}x",
            per(cpu["workers"], count),
            per(cpu["db"], count),
            per(cpu["emulator"], count),
            f"{(os.cpu_count() or 1) * count / own:,.0f}",
        ]

    def copy_pictures(self, workers: int) -> list[str]:
        """--pictures apart: the picture tasks the round queued, run by `workers` solo-pool
        workers on their own queue, timed until every thread holds its copy."""
        from inbox.models import Conversation

        conversations = Conversation.objects.filter(account=self.account)
        count = conversations.exclude(participant_avatar_url="").count()
        self.broker.rename(self.pictures, self.hold)
        processes, names = start_workers(workers, self.pictures)
        try:
            wait_ready(processes, names, timeout=300)
            meter = CpuMeter(
                {
                    "workers": [p.pid for p in processes],
                    "db": backends(self.database),
                    "emulator": [self.emulator.process.pid],
                }
            )
            self.broker.rename(self.hold, self.pictures)
            start = time.perf_counter()
            wait_until(
                lambda: conversations.exclude(participant_avatar="").count() == count,
                900,
                f"{workers} worker(s) to copy the pictures",
            )
            seconds = time.perf_counter() - start
            cpu = meter.stop({"db": backends(self.database)})
        finally:
            stop(processes)
        own = cpu["workers"] + cpu["db"]
        return [
            "pictures",
            str(workers),
            "",
            f"{seconds:.2f}",
            f"{count / seconds:,.0f}",
            "",
            per(cpu["workers"], count),
            per(cpu["db"], count),
            per(cpu["emulator"], count),
            f"{(os.cpu_count() or 1) * count / own:,.0f}",
        ]


def start_workers(count: int, queue: str) -> tuple[list[subprocess.Popen], list[str]]:
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


# --- Profiles ------------------------------------------------------------------------------


def profile(hooks: Hooks, kind: str) -> list[str]:
    """cProfile, in this process: 500 deliveries through the whole Django stack (test
    Client), then the processing of them (deliveries.process_batch, as the task calls it),
    then the picture tasks that processing queued, run as a worker would run them."""
    from django.test import Client

    from inbox import deliveries
    from inbox.models import WebhookDelivery
    from mixora.celery import app

    hooks.clean()
    bodies = [webhook_body(kind, i, "prof") for i in range(500)]
    client = Client()
    out = []
    accept = cProfile.Profile()
    accept.enable()
    for body in bodies:
        client.post("/webhooks/meta/", body, content_type="application/json", **_meta(body))
    accept.disable()
    out += _top(accept, f"accepting 500 {kind} deliveries (Django test Client)")
    hooks.broker.delete(hooks.queue)
    work = cProfile.Profile()
    work.enable()
    for pk in list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)):
        deliveries.process_batch(pk)
    work.disable()
    out += _top(work, f"processing them (deliveries.process_batch, {kind}s)")
    tasks = [
        (name, args)
        for queue in (hooks.queue, hooks.pictures)
        for name, args in queued(hooks.broker, queue)
        if name in PICTURE_TASKS
    ]
    if tasks:
        copies = cProfile.Profile()
        copies.enable()
        for name, args in tasks:
            app.tasks[name](*args)
        copies.disable()
        out += _top(copies, f"copying their pictures ({len(tasks)} task(s) as queued)")
    hooks.clean()
    return out


def queued(broker: redis.Redis, queue: str) -> list[tuple[str, list]]:
    """(task name, args) of the messages waiting on `queue`, oldest first."""
    found = []
    for raw in reversed(broker.lrange(queue, 0, -1)):  # kombu LPUSHes: newest first
        message = json.loads(raw)
        body = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], body[0]))
    return found


def _meta(body: bytes) -> dict[str, str]:
    return {"HTTP_X_HUB_SIGNATURE_256": signed(body)["X-Hub-Signature-256"]}


def _top(prof: cProfile.Profile, title: str) -> list[str]:
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(22)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    return [f"\ncProfile, {title}:", *lines[2:]]


# --- Main --------------------------------------------------------------------------------


def use_settings(
    directory: Path, database_url: str, redis_url: str, queue: str, pictures_apart: bool
) -> None:
    """The test settings with production's connection reuse and local file storage, for this
    process and the ones it starts."""
    lines = [
        "from mixora.settings.test import *  # noqa: F403",
        'DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405 - as base.py',
        "CELERY_DB_REUSE_MAX = 1000  # a worker keeps its connection (Celery's Django fixup)",
        "# Webhooks skip the middleware people's pages need (mixora/middleware_machine.py).",
        "MACHINE_PATH_PREFIXES = ['/webhooks/']",
        "MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405",
        "MIDDLEWARE.insert(MIDDLEWARE.index('mixora.request_size.RequestSizeLimitMiddleware')"
        " + 1, 'mixora.middleware_machine.MachineEndpointsMiddleware')",
        'STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",'
        f' "OPTIONS": {{"location": "{directory / "media"}"}}}}  # noqa: F405',
    ]
    if pictures_apart:  # the picture tasks (a batch's, and one thread's) on a queue of their own
        lines += [
            f'CELERY_TASK_ROUTES["{task}"] = '
            f'{{"queue": CELERY_QUEUE_PREFIX + "{PICTURES}"}}  # noqa: F405'
            for task in PICTURE_TASKS
        ]
    (directory / "mixora_bench_webhooks_settings.py").write_text("\n".join(lines) + "\n")
    sys.path.insert(0, str(directory))
    path = os.environ.get("PYTHONPATH")
    os.environ.update(
        PYTHONPATH=os.pathsep.join([str(directory), *([path] if path else [])]),
        DJANGO_SETTINGS_MODULE="mixora_bench_webhooks_settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TEST_QUEUE=queue,
        EMULATOR_TEST_PORT=str(free_port()),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    queue = f"mixora-bench-{secrets.token_hex(4)}"
    broker = redis.Redis.from_url(redis_url)
    settings_dir = tempfile.TemporaryDirectory(prefix="mixora-bench-")
    use_settings(
        Path(settings_dir.name),
        with_database(base_url, args.database),
        redis_url,
        queue,
        args.pictures == "apart",
    )
    recreate_database(admin_url, args.database)
    load = os.getloadavg()
    accepted: list[list[str]] = []
    processed: list[list[str]] = []
    profiles: list[str] = []
    hooks = None
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        hooks = Hooks(args, broker)
        hooks.start()
        for kind in args.kinds:
            for workers in args.workers:
                for server_kind in args.server:
                    say(f"… {kind}s: accepted by gunicorn {server_kind}")
                    hooks.clean()
                    server = WebServer(server_kind, args.web_workers, args.threads)
                    try:
                        post_all(server.port, [webhook_body(kind, i, "warm") for i in range(60)], 6)
                        hooks.clean()
                        tag = secrets.token_hex(3)
                        accepted.append(hooks.accept(server, kind, tag))
                    finally:
                        stop([server.process])
                say(f"… {kind}s: processed by {workers} worker(s)")
                processed.append(hooks.process(kind, workers))
                if kind == "message" and args.pictures == "apart":
                    say(f"… pictures: copied by {workers} worker(s)")
                    processed.append(hooks.copy_pictures(workers))
            if args.profile:
                profiles += profile(hooks, kind)
        say()
        say(
            f"Load average (1/5/15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start, "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
            + f" at the end; {os.cpu_count()} cores."
        )
        say(
            f"\nAccepted: {args.deliveries} signed Meta deliveries per round, one event each, "
            f"{args.clients} client connections; ratio to the previous design's "
            f"{BASELINE['accepted']:.0f}/s ({BASELINE_NOTE}). CPU ms per delivery: gunicorn "
            "(master and workers), PostgreSQL backends, the bench's client; capacity = cores / "
            "(gunicorn + PostgreSQL CPU) per delivery (Redis is shared with others: not counted):"
        )
        table(
            [
                *("kind", "server", "wall s", "accepted/s", "ratio", "p50 ms", "p95 ms"),
                *("web cpu", "db cpu", "client cpu", "capacity/s"),
            ],
            accepted,
        )
        say(
            "\nProcessed into conversations (each delivery a new conversation; a Messenger "
            "message also gets its sender's name by a Graph profile lookup on the emulator, "
            "counted once named, and a task that copies the picture: "
            + (
                "on its own queue, run after the round, the 'pictures' row"
                if args.pictures == "apart"
                else "run by the same workers meanwhile, done once every picture is copied"
            )
            + "); solo-pool workers; ratio to the previous design's 2-worker figures "
            f"({BASELINE['comment']:.0f} comments/s, {BASELINE['message']:.0f} messages/s). CPU "
            "ms per delivery: workers, PostgreSQL, the emulator; capacity = cores / (workers + "
            "PostgreSQL CPU) per delivery:"
        )
        table(
            [
                *("kind", "workers", "lookups", "wall s", "processed/s", "ratio"),
                *("worker cpu", "db cpu", "emulator cpu", "capacity/s"),
            ],
            processed,
        )
        for line in profiles:
            say(line)
    finally:
        from django.db import connections

        if hooks is not None:
            hooks.clean()
            hooks.close()
        connections.close_all()
        keys = list(broker.scan_iter(f"*{queue}*"))
        if keys:
            broker.delete(*keys)
        if args.drop:
            drop_database(admin_url, args.database)
        settings_dir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
