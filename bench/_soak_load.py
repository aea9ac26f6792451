"""What bench/soak.py puts through Mixora: X accounts with real tokens, posts created every
second with their due times spread over the run, signed Meta webhooks at a steady rate, and
emulator faults paced to the X publish calls Mixora makes."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import math
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import requests
from publish import Emulator

if TYPE_CHECKING:
    from connections.models import ConnectedAccount

REDIRECT_URI = "http://127.0.0.1/bench/callback"  # never visited: the code is read off it
PAGE_ID = "20000000000001"  # the emulator's seeded Facebook Page (docs/emulator.md)
PSID_BASE = 7_200_000_000_000_000  # people who message the Page: numeric ids, like Meta's
ACCOUNTS_PER_WORKSPACE = 10


# --- Accounts ------------------------------------------------------------------------------


def _x_tokens(emulator: Emulator, i: int) -> tuple[str, object]:
    """A new emulated X user, connected through the real OAuth client: the consent form posted
    as a browser would with this user chosen, then XConnector.complete."""
    from connections.platforms.base import pkce_pair
    from connections.platforms.x.connector import XConnector
    from tests.connections.consent import query

    user = emulator.control(
        "POST", "users", {"platform": "x", "name": f"Soak {i}", "handle": f"soak{i}"}
    )
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    connector = XConnector()
    url = connector.authorization_url(REDIRECT_URI, state, challenge)
    scopes = parse_qs(urlsplit(url).query)["scope"][0].split()
    form = [("decision", "allow"), ("user", user["id"]), *(("scope", s) for s in scopes)]
    answer = requests.post(url, data=form, allow_redirects=False, timeout=30)
    back = query(answer.headers.get("Location", ""))
    if back.get("state") != state or "code" not in back:
        raise RuntimeError(f"the X consent did not return a code: {answer.status_code} {back}")
    grant = connector.complete(back["code"], REDIRECT_URI, verifier)
    if grant.profiles[0].external_id != user["id"]:
        raise RuntimeError(f"the X consent connected {grant.profiles[0].external_id}")
    return user["id"], grant.tokens


def x_accounts(emulator: Emulator, count: int) -> list[ConnectedAccount]:
    """`count` X accounts, each its own emulated user (X limits posts per user), ten to a
    workspace."""
    from accounts.models import Workspace
    from connections.models import ConnectedAccount

    with ThreadPoolExecutor(8) as pool:
        connected = list(pool.map(lambda i: _x_tokens(emulator, i), range(count)))
    workspaces = Workspace.objects.bulk_create(
        Workspace(name=f"Soak {n}", slug=f"soak-{n}")
        for n in range(math.ceil(count / ACCOUNTS_PER_WORKSPACE))
    )
    return ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspaces[i // ACCOUNTS_PER_WORKSPACE],
            platform="x",
            external_id=user_id,
            display_name=f"Soak {i}",
            handle=f"@soak{i}",
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_expires_at=tokens.expires_at(),
            scopes=list(tokens.scopes),
            status=ConnectedAccount.Status.ACTIVE,
        )
        for i, (user_id, tokens) in enumerate(connected)
    )


def page_account(emulator: Emulator, senders: int) -> ConnectedAccount:
    """The emulator's seeded Page in a workspace of its own, its token through the real Meta
    OAuth client; `senders` people have messaged it (the emulator answers a profile lookup only
    for them), their messages held back."""
    from accounts.models import Workspace
    from connections.models import ConnectedAccount
    from connections.platforms.base import pkce_pair
    from connections.platforms.meta.connector import MetaConnector
    from tests.connections.consent import consent, query

    workspace = Workspace.objects.create(name="Soak Inbox", slug="soak-inbox")
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    connector = MetaConnector()
    back = query(consent(connector.authorization_url(REDIRECT_URI, state, challenge)))
    grant = connector.complete(back["code"], REDIRECT_URI, verifier)
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id=PAGE_ID,
        display_name="Demo Co Coffee",
        handle="@demococoffee",
        access_token=grant.account_tokens[PAGE_ID],
        scopes=list(grant.tokens.scopes),
    )

    def register(n: int) -> None:
        emulator.control(
            "POST",
            "inbound",
            {
                "platform": "meta",
                "kind": "message",
                "account_id": PAGE_ID,
                "from": {"id": str(PSID_BASE + n), "name": f"Soak Customer {n}"},
                "text": "hello",
                "deliver": False,
            },
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(register, range(senders)))
    return account


# --- Paced work ----------------------------------------------------------------------------


@dataclass
class Pace:
    """A steady schedule: item i of `rate` per second is due at start + i / rate."""

    rate: float
    seconds: float
    start: float = 0.0
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def total(self) -> int:
        return int(self.rate * self.seconds)

    def minute(self, moment: float) -> int:
        return int((moment - self.start) // 60)

    @property
    def over(self) -> bool:
        return self.stopping.is_set() or time.monotonic() >= self.start + self.seconds

    def wait_for(self, i: int) -> bool:
        """Sleep until item i is due; False once the run is over (a sender that fell behind
        does not go on after it: what it did not send shows as not reached)."""
        delay = self.start + i / self.rate - time.monotonic()
        if delay > 0 and self.stopping.wait(delay):
            return False
        return not self.over


class PostFeeder(threading.Thread):
    """Every second, the posts due in one second, `lead` seconds ahead, created the way the
    composer leaves them (a scheduled Post, one target), with distinct texts (X refuses a
    repeat) spread round-robin over the accounts."""

    def __init__(self, pace: Pace, accounts: list[ConnectedAccount], tag: str, lead: float):
        super().__init__(name="post-feeder", daemon=True)
        self.pace, self.accounts, self.tag, self.lead = pace, accounts, tag, lead
        self.created: Counter[int] = Counter()  # minute -> posts created (due in that minute)
        self.behind = 0.0  # the longest a second's batch started late
        self.error: BaseException | None = None

    def text(self, i: int) -> str:
        return f"Mixora soak {self.tag} post {i:07d}"

    def run(self) -> None:
        from django.db import connection

        try:
            self._feed()
        except BaseException as exc:  # reported by the soak, which stops
            self.error = exc
        finally:
            connection.close()

    def _feed(self) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from publishing.models import Post, PostTarget

        made = 0
        for second in range(math.ceil(self.pace.seconds)):
            tick = self.pace.start + second
            if self.pace.stopping.wait(max(0.0, tick - time.monotonic())) or self.pace.over:
                return
            self.behind = max(self.behind, time.monotonic() - tick)
            upto = min(self.pace.total, round(self.pace.rate * (second + 1)))
            count = upto - made
            if count <= 0:
                continue
            base = timezone.now() + timedelta(seconds=self.lead)
            dues = [base + timedelta(seconds=k / count) for k in range(count)]
            indices = range(made, upto)
            posts = Post.objects.bulk_create(
                Post(
                    workspace_id=self.accounts[i % len(self.accounts)].workspace_id,
                    text=self.text(i),
                    stage=Post.Stage.SCHEDULED,
                    scheduled_at=due,
                )
                for i, due in zip(indices, dues, strict=True)
            )
            PostTarget.objects.bulk_create(
                PostTarget(
                    post=post,
                    account=self.accounts[i % len(self.accounts)],
                    state=PostTarget.State.SCHEDULED,
                    due_at=post.scheduled_at,
                )
                for i, post in zip(indices, posts, strict=True)
            )
            self.created[self.pace.minute(tick + self.lead)] += count
            made = upto


def signature(secret: bytes, body: bytes) -> str:
    """X-Hub-Signature-256, the way Meta signs a delivery."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook(i: int, tag: str, senders: int) -> tuple[str, bytes]:
    """Delivery i, one event, shaped as docs/emulator.md describes Meta's: even i a comment on a
    Page post (feed changes carry the commenter's name), odd i a Messenger message (only the
    sender's id: Mixora looks the name up). Its expected message id and the compact body."""
    now = time.time()
    sender = str(PSID_BASE + i % senders)
    text = f"Olá! A encomenda {tag}-{i} já saiu? Obrigada."
    if i % 2:
        external_id = f"m_soak_{tag}_{i}"
        event = {
            "messaging": [
                {
                    "sender": {"id": sender},
                    "recipient": {"id": PAGE_ID},
                    "timestamp": int(now * 1000),
                    "message": {"mid": external_id, "text": text},
                }
            ]
        }
    else:
        post = f"{PAGE_ID}_{1 + i % 20}"
        external_id = f"{1 + i % 20}_{tag}{i}"
        event = {
            "changes": [
                {
                    "field": "feed",
                    "value": {
                        "item": "comment",
                        "verb": "add",
                        "comment_id": external_id,
                        "post_id": post,
                        "parent_id": post,
                        "message": text,
                        "from": {"id": sender, "name": f"Soak Commenter {i % senders}"},
                        "created_time": int(now),
                    },
                }
            ]
        }
    entry = {"id": PAGE_ID, "time": int(now * 1000), **event}
    body = json.dumps({"object": "page", "entry": [entry]}, separators=(",", ":")).encode()
    return external_id, body


class WebhookSender:
    """Signed Meta deliveries POSTed to the web server at a steady rate from `clients` threads,
    each on its own connection (http.client: little CPU of the machine's two cores goes to
    the load itself)."""

    def __init__(self, pace: Pace, url: str, clients: int, tag: str, senders: int) -> None:
        from django.conf import settings

        self.pace, self.clients, self.tag, self.senders = pace, clients, tag, senders
        self.address = urlsplit(url)
        self.secret = settings.PLATFORM_CREDENTIALS["meta"][1].encode()
        self.lock = threading.Lock()
        self.accepted: list[str] = []  # message ids of the deliveries answered 200
        self.sent: Counter[int] = Counter()  # minute -> POSTs
        self.ok: Counter[int] = Counter()  # minute -> 200 EVENT_RECEIVED
        self.latencies: list[float] = []
        self.refused: Counter[str] = Counter()  # "503 …" or the exception -> count
        self.threads = [
            threading.Thread(target=self._client, args=(n,), name=f"webhooks-{n}", daemon=True)
            for n in range(clients)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def _client(self, n: int) -> None:
        connection = http.client.HTTPConnection(self.address.hostname, self.address.port, 30)
        accepted, latencies = [], []
        sent, ok, refused = Counter(), Counter(), Counter()
        for i in range(n, self.pace.total, self.clients):
            if not self.pace.wait_for(i):
                break
            external_id, body = webhook(i, self.tag, self.senders)
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature-256": signature(self.secret, body),
            }
            began = time.monotonic()
            minute = self.pace.minute(began)
            sent[minute] += 1
            try:
                connection.request("POST", "/webhooks/meta/", body, headers)
                answer = connection.getresponse()
                text = answer.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                refused[f"{type(exc).__name__}: {exc}"[:120]] += 1
                continue
            latencies.append(time.monotonic() - began)
            if answer.status == 200 and text == b"EVENT_RECEIVED":
                ok[minute] += 1
                accepted.append(external_id)
            else:
                refused[f"{answer.status} {text[:80]!r}"] += 1
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()  # gunicorn's sync workers close after every answer
        connection.close()
        with self.lock:
            self.accepted.extend(accepted)
            self.latencies.extend(latencies)
            self.sent.update(sent)
            self.ok.update(ok)
            self.refused.update(refused)


class FaultInjector(threading.Thread):
    """About `share` of Mixora's X publish calls answered 5xx, and as many accepted by X with
    the answer never coming (an `accept_then_timeout` held longer than the client's read
    timeout): one count-1 fault of each kind per 1/share calls, the calls read as the targets'
    attempts (an attempt that only reconciles makes no POST: a slight over-count)."""

    def __init__(self, emulator: Emulator, share: float, delay: float) -> None:
        super().__init__(name="faults", daemon=True)
        self.emulator, self.every, self.delay = emulator, round(1 / share), delay
        self.stopping = threading.Event()
        self.injected = 0  # of each kind
        self.calls = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopping.wait(1.0):
                self.tick()
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()

    def tick(self) -> None:
        from django.db.models import Sum

        from publishing.models import PostTarget

        self.calls = PostTarget.objects.aggregate(n=Sum("attempts"))["n"] or 0
        for _ in range(self.injected, self.calls // self.every):
            for kind in ("server", "accept_then_timeout"):
                fault = {"platform": "x", "endpoint": "x.tweets", "kind": kind, "count": 1}
                self.emulator.control("POST", "faults", {**fault, "delay": self.delay})
            self.injected += 1
