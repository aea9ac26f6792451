"""The embedded default (`make run`: SQLite, the file-system broker, one worker and beat) with
ten people working at once, over real HTTP.

    .venv/bin/python bench/local.py                      # 10 people for 2 minutes (~6 min)
    .venv/bin/python bench/local.py --minutes 5 --people 10
    .venv/bin/python bench/local.py --url http://127.0.0.1:8000 --var-dir var --log run.log

Starts the local mode as `make run` does (migrate, seed_demo, scripts/run_local.py) in a fresh
var dir on free ports, with run_local.py's output captured to <var-dir>/run_local.log, unless
--url names one already running (then --var-dir must be its var dir: the bench members are
added to its database). Then:

1. adds bench members (admins) to Demo Co, puts it on the Business plan (the inbox), logs in
   the owner and connects the emulator's X user through the Connections page;
2. runs --people sessions (cookies, CSRF tokens) for --minutes: home, calendar, posts, inbox,
   a conversation; drafts saved, posts scheduled a minute or two ahead (the worker publishes
   them during the run; at most 100 per run, X's limit for one account in 15 minutes),
   replies sent, small images uploaded; meanwhile the emulator delivers
   X direct messages to the site's webhook (its control API, /_control/inbound);
3. waits (at most --drain seconds after the last post was due) until the emulator holds every
   scheduled post and every reply, and reports: requests per page kind (p50/p95/max, errors),
   the 5xx, "database is locked" and tracebacks in the server/worker log, and lost or doubled
   posts and replies.

Exit status 0 when nothing failed, was lost or doubled and the log has no lock error."""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SLUG = "demo-co"
ZONE = ZoneInfo("Europe/London")  # Demo Co's zone (accounts/demo.py): the composer's wall clock
OWNER = "owner@demo.test"
PASSWORD = "mixora-demo-1"  # noqa: S105 - accounts/demo.py, published in the README
X_USER = "1500000000000000001"  # the emulator's seeded X user (docs/emulator.md)
# POST /2/tweets: 100 per user per 15 minutes (docs.x.com/x-api/fundamentals/rate-limits); the
# product holds the rest back until the window resets, so a run schedules at most this many.
X_POSTS_PER_WINDOW = 100
# A reply to a direct message: 15 per user per 15 minutes (the same page; the emulator's
# RATE_LIMITS["x.dm_send"]), beyond which X answers 429 and the reply waits for a person.
X_DMS_PER_WINDOW = 15


def _png() -> bytes:
    """A valid 1x1 PNG: the smallest image the media library takes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte + one pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()

# Run inside the local mode (manage.py shell): the bench members as admins (admins skip review)
# and the Business plan, so the inbox is open and 15 members fit.
SETUP = """
from allauth.account.models import EmailAddress
from accounts.models import Membership, User, Workspace
from accounts.roles import Role
from billing.models import BillingAccount, Plan

workspace = Workspace.objects.get(slug="demo-co")
for n in range({people}):
    email = f"bench{{n + 1}}@demo.test"
    user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(
        email, "{password}", full_name=f"Bench Person {{n + 1}}", country="GB"
    )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={{"verified": True, "primary": True}}
    )
    Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={{"role": Role.ADMIN}}
    )
BillingAccount.objects.update_or_create(
    workspace=workspace,
    defaults={{"plan": Plan.objects.get(code="business"), "status": "active"}},
)
"""


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class _Forms(HTMLParser):
    """The CSRF token and the links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.csrf = ""
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = self.csrf or a.get("value", "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def parse(html: str) -> _Forms:
    page = _Forms()
    page.feed(html)
    return page


@dataclass
class Stats:
    """Every request's kind, status and time; thread-safe."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)
    scheduled: list[tuple[str, datetime]] = field(default_factory=list)  # (text, due UTC)
    replies: list[str] = field(default_factory=list)
    schedule_budget: int = X_POSTS_PER_WINDOW
    reply_budget: int = X_DMS_PER_WINDOW
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.problems) < 40:
                    self.problems.append(f"{kind}: {detail}")


class Person:
    """One browser: a cookie jar, the CSRF token, and the requests it times."""

    def __init__(self, site: str, email: str, stats: Stats) -> None:
        self.site, self.email, self.stats = site, email, stats
        self.http = requests.Session()
        self.csrf = ""
        self.base = f"{site}/w/{SLUG}"
        self.rng = random.Random()  # noqa: S311 - load, not secrets; texts unique across runs

    def call(
        self, kind: str, method: str, url: str, expect: tuple[int, ...] = (200,), **kwargs: object
    ) -> requests.Response | None:
        url = urljoin(self.site, url)
        if method == "POST":
            data = kwargs.setdefault("data", {})
            data["csrfmiddlewaretoken"] = self.csrf  # type: ignore[index]
            kwargs.setdefault("headers", {"Referer": url, "X-CSRFToken": self.csrf})
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        started = time.perf_counter()
        try:
            answer = self.http.request(method, url, **kwargs)
        except requests.RequestException as exc:
            self.stats.record(kind, time.perf_counter() - started, False, f"{type(exc).__name__}")
            return None
        ok = answer.status_code in expect
        detail = f"{answer.status_code} {method} {urlparse(url).path}"
        if not ok and answer.status_code < 500:
            detail += f" {_message(answer.text)}"
        self.stats.record(kind, time.perf_counter() - started, ok, detail)
        if "text/html" in answer.headers.get("Content-Type", ""):
            self.csrf = parse(answer.text).csrf or self.csrf
        return answer if ok else None

    def log_in(self) -> None:
        self.call("login", "GET", "/accounts/login/")
        done = self.call(
            "login",
            "POST",
            "/accounts/login/",
            expect=(302,),
            data={"login": self.email, "password": PASSWORD},
        )
        if done is None:
            raise RuntimeError(f"{self.email} could not log in")
        self.call("home", "GET", f"{self.base}/")

    # --- what people do -----------------------------------------------------------------
    def open_page(self, kind: str, path: str) -> None:
        self.call(kind, "GET", f"{self.base}/{path}")

    def open_conversation(self) -> str | None:
        inbox = self.call("inbox", "GET", f"{self.base}/inbox/")
        if inbox is None:
            return None
        found = {h.split("?")[0] for h in parse(inbox.text).links if "/inbox/c/" in h}
        found = {h for h in found if re.search(r"/inbox/c/\d+/$", h)}
        if not found:
            return None
        url = self.rng.choice(sorted(found))
        return url if self.call("conversation", "GET", url) else None

    def reply(self, account: str) -> None:
        url = self.open_conversation()
        if url is None:
            return
        with self.stats.lock:
            if self.stats.reply_budget <= 0:  # X's DM limit for the account is used up
                return
            self.stats.reply_budget -= 1
        text = f"Thanks, {self.email} here ({self.rng.getrandbits(40):x})"
        if self.call("reply", "POST", f"{url}reply/", expect=(302,), data={"text": text}):
            with self.stats.lock:
                self.stats.replies.append(text)
        else:
            with self.stats.lock:
                self.stats.reply_budget += 1

    def compose(self, account: str, schedule: bool) -> None:
        self.call("compose", "GET", f"{self.base}/posts/new/")
        text = f"Bench post from {self.email} #{self.rng.getrandbits(48):x}"
        data = {"text": text, "accounts": account, "action": "save"}
        due = None
        with self.stats.lock:
            schedule = schedule and self.stats.schedule_budget > 0
            self.stats.schedule_budget -= schedule
        if schedule:
            # The next minute but one: due while the run goes on (the field has minutes only).
            due = (datetime.now(ZONE) + timedelta(minutes=2)).replace(second=0, microsecond=0)
            data |= {"action": "schedule", "scheduled_local": due.strftime("%Y-%m-%dT%H:%M")}
        kind = "schedule" if schedule else "save_draft"
        saved = self.call(kind, "POST", f"{self.base}/posts/new/", expect=(302,), data=data)
        if due is not None:
            with self.stats.lock:
                if saved:
                    self.stats.scheduled.append((text, due))
                else:
                    self.stats.schedule_budget += 1

    def upload(self) -> None:
        name = f"bench-{self.rng.getrandbits(32):x}.png"
        self.call(
            "upload",
            "POST",
            f"{self.base}/media/upload/",
            expect=(201,),
            data={"into": "library"},
            files={"file": (name, PNG, "image/png")},
        )

    def work(self, account: str, until: float, think: float) -> None:
        pages = [
            ("home", ""),
            ("calendar", "calendar/"),
            ("posts", "posts/"),
            ("inbox", "inbox/"),
            ("media", "media/"),
        ]
        actions = [
            (4, lambda: self.open_page(*self.rng.choice(pages))),
            (2, self.open_conversation),
            (2, lambda: self.compose(account, schedule=False)),
            (2, lambda: self.compose(account, schedule=True)),
            (2, lambda: self.reply(account)),
            (1, self.upload),
        ]
        weights = [w for w, _ in actions]
        while time.monotonic() < until:
            self.rng.choices([a for _, a in actions], weights)[0]()
            time.sleep(self.rng.uniform(0, 2 * think))


def _message(html: str) -> str:
    """A refusal's first error line, for the report."""
    found = re.search(
        r'class="[^"]*(?:errorlist|error|alert)[^"]*"[^>]*>\s*(?:<li>)?([^<]{1,160})', html
    )
    return found.group(1).strip() if found else html[:120].replace("\n", " ")


# --- the emulator -----------------------------------------------------------------------
class Emulator:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: str) -> object:
        answer = requests.get(f"{self.url}{path}", params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, payload: dict) -> object:
        answer = requests.post(f"{self.url}{path}", json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def customers(self, stop: threading.Event, stats: Stats, every: float) -> None:
        """Customers writing to the X account: direct messages, delivered to the site's
        webhook as they happen. Not replies to its posts: answering those is a post, which
        would share X_POSTS_PER_WINDOW with the scheduled ones."""
        n = 0
        while not stop.wait(every):
            n += 1
            customer = {"id": str(4_200_000_000 + n % 25), "name": f"Customer {n % 25}"}
            event = {"platform": "x", "kind": "message", "account_id": X_USER}
            event |= {"from": customer, "text": f"Hello, question {n}"}
            started = time.perf_counter()
            try:
                sent = self.post("/_control/inbound", event)
                status = (sent.get("deliveries") or [{}])[-1].get("status")  # type: ignore[union-attr]
                ok, detail = status == 200, f"delivery status {status}"
            except requests.RequestException as exc:
                ok, detail = False, type(exc).__name__
            stats.record("webhook (emulator→site)", time.perf_counter() - started, ok, detail)


# --- the local mode ---------------------------------------------------------------------
def local_env(var_dir: Path, port: int, emulator_port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "mixora.settings.local",
        "MIXORA_VAR_DIR": str(var_dir),
        "PORT": str(port),
        "EMULATOR_PORT": str(emulator_port),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def connect_x(owner: Person, emulator: Emulator) -> str:
    """The owner connects the emulator's X user on the Connections page (the consent page
    clicked as tests/connections/consent.py does); returns the account's id in the form."""
    sys.path.insert(0, str(ROOT))
    from tests.connections.consent import consent

    page = owner.call("connect", "GET", f"{owner.base}/connections/")
    found = re.search(r'name="accounts" value="(\d+)"', _composer(owner))
    if found is None:
        start = owner.call("connect", "POST", f"{owner.base}/connections/connect/x/", expect=(302,))
        if page is None or start is None:
            raise RuntimeError("could not start connecting X")
        back = consent(start.headers["Location"])
        owner.call("connect", "GET", back, expect=(302,))
        found = re.search(r'name="accounts" value="(\d+)"', _composer(owner))
    if found is None:
        raise RuntimeError("X is not connected: the composer offers no account")
    # The account's X events reach the site once run_local.py registered the webhook.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        subs = emulator.get("/_control/subscriptions", platform="x")
        if any(s["account_id"] == X_USER and s["fields"] for s in subs.get("x", [])):  # type: ignore[union-attr]
            break
        time.sleep(1)
    else:
        say("  warning: the X account has no webhook subscription: inbound events won't arrive")
    return found.group(1)


def _composer(person: Person) -> str:
    page = person.call("compose", "GET", f"{person.base}/posts/new/")
    return page.text if page is not None else ""


def start_local(args: argparse.Namespace) -> tuple[str, str, subprocess.Popen | None, Path]:
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="mixora-bench-local-"))
    if args.url:
        env = local_env(var_dir, 0, 0)
        manage(env, "shell", "-c", SETUP.format(people=args.people, password=PASSWORD))
        return args.url, args.emulator_url, None, Path(args.log) if args.log else None
    port, emulator_port = args.port or free_port(), args.emulator_port or free_port()
    env = local_env(var_dir, port, emulator_port)
    say(f"Local mode in {var_dir}: site :{port}, emulator :{emulator_port}")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "shell", "-c", SETUP.format(people=args.people, password=PASSWORD))
    log = var_dir / "run_local.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [PY, "scripts/run_local.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    site, emulator = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{emulator_port}"
    wait_for(f"{site}/healthz", 90)
    wait_for(f"{emulator}/_control/health", 30)
    return site, emulator, server, log


def stop_local(server: subprocess.Popen) -> None:
    """SIGTERM to run_local.py, which stops what it started (its own process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- checks and the report --------------------------------------------------------------
def settle(emulator: Emulator, stats: Stats, drain: float) -> tuple[dict, dict, float, list[float]]:
    """Wait until every scheduled post and reply is on the emulator (or the deadline);
    returns how many times each was seen there, the seconds waited after the run, and each
    post's lag (published on the emulator − due; the emulator's times are whole seconds)."""
    last_due = max((due for _, due in stats.scheduled), default=datetime.now(ZONE))
    deadline = time.monotonic() + max(0.0, (last_due - datetime.now(ZONE)).total_seconds()) + drain
    started = time.monotonic()
    while True:
        held = emulator.get("/_control/posts", platform="x")
        posts = _count([p["text"] for p in held])  # type: ignore[union-attr]
        sent = _count([r["text"] for r in emulator.get("/_control/replies", platform="x")])  # type: ignore[union-attr]
        missing = [t for t, _ in stats.scheduled if t not in posts] + [
            t for t in stats.replies if t not in sent
        ]
        if not missing or time.monotonic() > deadline:
            due = dict(stats.scheduled)
            lags = sorted(
                (datetime.fromisoformat(p["created_time"]) - due[p["text"]]).total_seconds()
                for p in held  # type: ignore[union-attr]
                if p["text"] in due
            )
            return posts, sent, time.monotonic() - started, lags
        time.sleep(2)


def _count(texts: list[str]) -> dict[str, int]:
    seen: dict[str, int] = defaultdict(int)
    for text in texts:
        seen[text] += 1
    return seen


def scan_log(log: Path | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"database is locked": [], "5xx": [], "Traceback": []}
    if log is None or not log.exists():
        return found
    for line in log.read_text(errors="replace").splitlines():
        if "database is locked" in line:
            found["database is locked"].append(line)
        if re.search(r'" 5\d\d \d', line):  # runserver's access line: "GET /x HTTP/1.1" 500 123
            found["5xx"].append(line)
        if line.startswith("Traceback"):
            found["Traceback"].append(line)
    return found


def report(
    stats: Stats, posts: dict, sent: dict, waited: float, lags: list[float], log: Path | None
) -> bool:
    say("\nRequests (seconds)")
    say(f"{'kind':<26}{'n':>6}{'p50':>8}{'p95':>8}{'max':>8}{'errors':>8}")
    for kind in sorted(stats.times):
        t = sorted(stats.times[kind])
        say(
            f"{kind:<26}{len(t):>6}{percentile(t, 0.5):>8.3f}{percentile(t, 0.95):>8.3f}"
            f"{t[-1]:>8.3f}{stats.errors.get(kind, 0):>8}"
        )
    for problem in stats.problems[:15]:
        say(f"  error: {problem}")
    lost_posts = [t for t, _ in stats.scheduled if posts.get(t, 0) == 0]
    doubled_posts = [t for t, _ in stats.scheduled if posts.get(t, 0) > 1]
    lost_replies = [t for t in stats.replies if sent.get(t, 0) == 0]
    doubled_replies = [t for t in stats.replies if sent.get(t, 0) > 1]
    say(
        f"\nScheduled posts: {len(stats.scheduled)}, published on the emulator "
        f"{len(stats.scheduled) - len(lost_posts)}, lost {len(lost_posts)}, "
        f"doubled {len(doubled_posts)}"
    )
    if lags:
        say(
            f"Publish lag after the due minute (s): p50 {percentile(lags, 0.5):.0f}, "
            f"p95 {percentile(lags, 0.95):.0f}, max {lags[-1]:.0f}"
        )
    say(
        f"Replies sent: {len(stats.replies)}, on the emulator "
        f"{len(stats.replies) - len(lost_replies)}, lost {len(lost_replies)}, "
        f"doubled {len(doubled_replies)}  (waited {waited:.0f} s after the run)"
    )
    found = scan_log(log)
    say(f"Log {log}: " + ", ".join(f'{len(v)} "{k}"' for k, v in found.items()))
    for key in found:
        for line in found[key][:5]:
            say(f"  {line[:200]}")
    errors = sum(stats.errors.values())
    return not (
        errors
        or lost_posts
        or doubled_posts
        or lost_replies
        or doubled_replies
        or found["database is locked"]
        or found["5xx"]
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between actions (s)")
    parser.add_argument(
        "--webhook-every", type=float, default=1.0, help="seconds between inbound events"
    )
    parser.add_argument(
        "--drain", type=float, default=120.0, help="seconds to wait after the last post was due"
    )
    parser.add_argument(
        "--var-dir", help="the local mode's MIXORA_VAR_DIR (default: a new temporary one)"
    )
    parser.add_argument("--port", type=int, help="the site's port (default: a free one)")
    parser.add_argument("--emulator-port", type=int)
    parser.add_argument("--url", help="use the local mode running at this URL")
    parser.add_argument("--emulator-url", default="http://127.0.0.1:8100", help="with --url")
    parser.add_argument("--log", help="with --url: that run's output, to scan")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    site, emulator_url, server, log = start_local(args)
    try:
        stats = Stats()
        emulator = Emulator(emulator_url)
        owner = Person(site, OWNER, stats)
        owner.log_in()
        account = connect_x(owner, emulator)
        people = [Person(site, f"bench{n + 1}@demo.test", stats) for n in range(args.people)]
        for person in people:
            person.log_in()
        # A few conversations before anyone opens the inbox.
        for n in range(3):
            emulator.post(
                "/_control/inbound",
                {
                    "platform": "x",
                    "kind": "message",
                    "account_id": X_USER,
                    "from": {"id": str(4_100_000_000 + n), "name": f"Early {n}"},
                    "text": "Hi!",
                },
            )
        say(
            f"{args.people} people for {args.minutes:g} min, an inbound event every "
            f"{args.webhook_every:g} s (load before: {os.getloadavg()[0]:.2f})"
        )
        until = time.monotonic() + args.minutes * 60
        stop = threading.Event()
        threads = [
            threading.Thread(target=p.work, args=(account, until, args.think)) for p in people
        ]
        threads.append(
            threading.Thread(target=emulator.customers, args=(stop, stats, args.webhook_every))
        )
        for thread in threads:
            thread.start()
        for thread in threads[:-1]:
            thread.join()
        stop.set()
        threads[-1].join()
        say(f"Run over (load {os.getloadavg()}); waiting for the worker to settle…")
        posts, sent, waited, lags = settle(emulator, stats, args.drain)
        ok = report(stats, posts, sent, waited, lags, log)
    finally:
        if server is not None:
            stop_local(server)
    say(
        f"\n{'PASS' if ok else 'FAIL'}  (load average: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} cores)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
