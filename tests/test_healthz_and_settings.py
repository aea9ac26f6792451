"""/healthz, the production settings' refusal of insecure configuration, and seed_demo's
refusal to run outside the local mode."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage, storages
from django.test import override_settings

from accounts.demo import DEMO_MEMBERS, DEMO_SUPPORT, seed_demo
from accounts.models import Membership, User, Workspace
from support.groups import SUPPORT_GROUP

BASE_DIR = Path(__file__).resolve().parent.parent
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there

# --- /healthz --------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_json_when_every_dependency_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_with_storage_down_when_the_storage_endpoint_is_unreachable(client):
    unreachable = copy.deepcopy(settings.STORAGES)
    unreachable["default"]["OPTIONS"]["endpoint_url"] = UNREACHABLE

    # override_settings fires setting_changed, whose receiver empties the `storages`
    # handler's cache and re-wraps `default_storage`; the asserts below prove it happened.
    with override_settings(STORAGES=unreachable):
        assert storages["default"].endpoint_url == UNREACHABLE
        assert default_storage.endpoint_url == UNREACHABLE
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "checks": {"database": "ok", "broker": "ok", "storage": "down"},
    }
    assert elapsed < 30  # a dead dependency must not hang the probe

    # Back on the real (moto) endpoint, the cache was reset again and all is well.
    assert default_storage.endpoint_url == settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]
    assert client.get("/healthz").status_code == 200


# --- Production settings ---------------------------------------------------------------

SECURE_KEY = "Q8vN2rT5xL0pW7zK3mB9cH4jF6dS1gA8eY2uI5oP0lR7tV3nX9wJ"
SECURE_ENV = {
    "DJANGO_SETTINGS_MODULE": "mixora.settings.production",
    "SECRET_KEY": SECURE_KEY,
    "ALLOWED_HOSTS": "app.mixora.example",
    "DATABASE_URL": "postgres://mixora:pw@db.internal:5432/mixora",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "mixora-media",
    "TOKEN_ENCRYPTION_KEYS": "rS2Dd1bBuYs3Gk8l1v0Q8gqv1m2xq7f8hK4ce9ZpXRE=",
    "SITE_URL": "https://app.mixora.example",
}
# Everything the settings read from the environment: none may leak in from this process.
_SETTINGS_ENV = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "SECURE_HSTS_SECONDS",
    "TOKEN_ENCRYPTION_KEYS",
    "EMULATOR_URL",
]


def run_with_env(args: list[str], **changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SETTINGS_ENV
        and key.removesuffix("_FILE") not in _SETTINGS_ENV
        and not key.startswith("DJANGO_")
    }
    env.update(SECURE_ENV)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setup_django(**changes: str | None) -> subprocess.CompletedProcess[str]:
    return run_with_env(["-c", "import django; django.setup()"], **changes)


def test_production_settings_start_with_a_complete_secure_environment():
    result = setup_django()

    assert result.returncode == 0, result.stderr


def test_production_settings_read_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(SECURE_KEY + "\n", encoding="utf-8")

    result = setup_django(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param({"DEBUG": "true"}, "DEBUG must be off", id="debug-true"),
        pytest.param({"DEBUG": "1"}, "DEBUG must be off", id="debug-1"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG='maybe'", id="debug-malformed"),
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY", id="secret-key-missing"),
        pytest.param({"SECRET_KEY": ""}, "SECRET_KEY", id="secret-key-empty"),
        pytest.param(
            {"SECRET_KEY": "django-insecure-" + "k8#v2!q9z$w4m7x1p0r5t3y6u8i2o4a7s9d1"},
            "SECRET_KEY",
            id="secret-key-django-insecure-placeholder",
        ),
        pytest.param(
            {"SECRET_KEY": "change-me-" + SECURE_KEY}, "SECRET_KEY", id="secret-key-change-me"
        ),
        pytest.param({"SECRET_KEY": SECURE_KEY[:20]}, "SECRET_KEY", id="secret-key-short"),
        pytest.param({"SECRET_KEY": "ab" * 40}, "SECRET_KEY", id="secret-key-low-entropy"),
        pytest.param({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS", id="allowed-hosts-missing"),
        pytest.param({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS", id="allowed-hosts-blank"),
        pytest.param({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS", id="allowed-hosts-wildcard"),
        pytest.param(
            {"AWS_STORAGE_BUCKET_NAME": None}, "AWS_STORAGE_BUCKET_NAME", id="no-s3-bucket"
        ),
        pytest.param(
            {"DATABASE_URL": "sqlite:////tmp/mixora.sqlite3"}, "DATABASE_URL", id="sqlite"
        ),
        pytest.param({"DATABASE_URL": None}, "DATABASE_URL", id="database-url-missing"),
        pytest.param({"REDIS_URL": None}, "REDIS_URL", id="redis-url-missing"),
        pytest.param({"TOKEN_ENCRYPTION_KEYS": None}, "TOKEN_ENCRYPTION_KEYS", id="no-token-keys"),
        pytest.param(
            {"EMULATOR_URL": "http://127.0.0.1:8100"}, "EMULATOR_URL", id="emulator-in-production"
        ),
    ],
)
def test_production_settings_refuse_insecure_configuration(changes, named):
    result = setup_django(**changes)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert named in message


def test_production_settings_pass_the_deploy_checks_with_a_secure_environment():
    result = run_with_env(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- seed_demo -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [None, "production", ""])
def test_seed_demo_refuses_to_run_outside_local_mode_and_creates_nothing(settings, mode):
    if mode is None:
        assert settings.MIXORA_MODE == "test"  # the test settings as they are
    else:
        settings.MIXORA_MODE = mode
    support_members = Group.objects.get(name=SUPPORT_GROUP).user_set.count()

    with pytest.raises(ImproperlyConfigured, match="local mode"):
        seed_demo()

    assert not User.objects.exists()
    assert not Workspace.objects.exists()
    assert not Membership.objects.exists()
    assert not EmailAddress.objects.exists()
    assert Group.objects.get(name=SUPPORT_GROUP).user_set.count() == support_members


@pytest.mark.django_db
def test_seed_demo_seeds_in_local_mode_and_is_idempotent(settings):
    settings.MIXORA_MODE = "local"

    seeded = seed_demo()
    again = seed_demo()

    assert seeded == again
    assert [email for email, _ in seeded] == [m[0] for m in DEMO_MEMBERS] + [DEMO_SUPPORT[0]]
    workspace = Workspace.objects.get(slug="demo-co")
    assert workspace.memberships.count() == len(DEMO_MEMBERS)
    support = User.objects.get(email=DEMO_SUPPORT[0])
    assert support.is_staff
    assert not support.is_superuser
    assert support.groups.filter(name=SUPPORT_GROUP).exists()
    assert User.objects.count() == len(DEMO_MEMBERS) + 1
    assert EmailAddress.objects.filter(verified=True).count() == len(DEMO_MEMBERS) + 1
