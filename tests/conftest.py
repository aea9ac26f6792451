"""Shared fixtures. Tests run against real PostgreSQL and Redis and a local S3 stand-in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest

pytest_plugins = ["tests.publishing_fixtures", "tests.inbox_fixtures"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make
# from that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    missing = []
    if not _reachable(f"//{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432):
        missing.append(f"PostgreSQL at {db.get('HOST')}:{db.get('PORT') or 5432} (DATABASE_URL)")
    if not _reachable(settings.REDIS_URL, 6379):
        missing.append(f"Redis at {settings.REDIS_URL} (REDIS_URL)")
    if missing:
        pytest.exit(
            "The tests need " + " and ".join(missing) + ".\n"
            "Start them, e.g. `docker compose up -d db redis`, or point DATABASE_URL and "
            "REDIS_URL at running servers.",
            returncode=3,
        )


@pytest.fixture(scope="session", autouse=True)
def s3_server() -> Iterator[str]:
    """moto's S3 server on the port the test settings point the storage at."""
    import boto3
    from django.conf import settings
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=settings.S3_TEST_PORT, verbose=False)
    server.start()
    options = settings.STORAGES["default"]["OPTIONS"]
    boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=options["bucket_name"])
    yield options["endpoint_url"]
    server.stop()


class Emulator:
    """The running platform emulator: its base URL and its control API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, method: str, path: str, payload: dict | None = None) -> object:
        import requests

        response = requests.request(method, f"{self.url}/_control/{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def requests(self, platform: str | None = None, endpoint: str | None = None) -> list[dict]:
        query = "&".join(
            f"{k}={v}" for k, v in (("platform", platform), ("endpoint", endpoint)) if v
        )
        return self.control("GET", f"requests?{query}")

    def fail_next(
        self, platform: str, endpoint: str, kind: str, count: int = 1, **extra: object
    ) -> None:
        self.control(
            "POST",
            "faults",
            {"platform": platform, "endpoint": endpoint, "kind": kind, "count": count, **extra},
        )


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[str]:
    """`python -m emulator` on the port the test settings point every platform URL at."""
    import subprocess
    import sys
    import time

    import requests
    from django.conf import settings

    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "emulator", "--port", str(settings.EMULATOR_TEST_PORT)],
        cwd=str(settings.BASE_DIR),
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{settings.EMULATOR_URL}/_control/health", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the emulator did not start") from None
            time.sleep(0.1)
    yield settings.EMULATOR_URL
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def emulator(emulator_server: str) -> Emulator:
    """The emulator, reset to its seeded state for this test."""
    emu = Emulator(emulator_server)
    emu.control("POST", "reset")
    return emu


@pytest.fixture
def celery_queue() -> Iterator[Callable[[], list[tuple[str, list]]]]:
    """celery_queue() -> [(task name, args)] waiting on this process's test queues, oldest
    first within each queue (default, publish, inbox, bulk: mixora/queues.py).

    Reads the real Redis broker lists; the queues are emptied before and after the test."""
    import base64
    import json

    import redis
    from django.conf import settings

    from mixora.queues import queue_names

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = queue_names()
    client.delete(*keys)

    def queued() -> list[tuple[str, list]]:
        found = []
        for key in keys:
            for raw in reversed(client.lrange(key, 0, -1)):  # kombu LPUSHes: newest first
                message = json.loads(raw)
                body = json.loads(base64.b64decode(message["body"]))
                found.append((message["headers"]["task"], body[0]))
        return found

    yield queued
    client.delete(*keys)


@pytest.fixture
def start_worker() -> Iterator[Callable[[], subprocess.Popen]]:
    """start_worker(pool="solo", concurrency=1) -> a `celery worker` process on this test's
    database, consuming every one of this process's queues."""

    from django.conf import settings
    from django.db import connection

    processes: list[subprocess.Popen] = []
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )

    def start(pool: str = "solo", concurrency: int = 1) -> subprocess.Popen:
        from mixora.queues import queue_names

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mixora.settings.test",
            "DATABASE_URL": database_url,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mixora",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "warning",
                "-Q",
                ",".join(queue_names()),
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(autouse=True)
def _isolated_cache() -> Iterator[None]:
    """Rate-limit counters and other cache entries never leak from one test to the next."""
    from django.core.cache import cache

    yield
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def make_member(db: None) -> Callable[..., object]:
    """make_member(workspace, role, **user_fields) -> a member of workspace with that role."""
    from tests.factories import MembershipFactory, UserFactory

    def make(workspace: object, role: str, **user_fields: object) -> object:
        user = UserFactory(**user_fields)
        MembershipFactory(workspace=workspace, user=user, role=role)
        return user

    return make
