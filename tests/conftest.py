"""Shared fixtures. Tests run against real PostgreSQL and Redis and a local S3 stand-in."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest

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
