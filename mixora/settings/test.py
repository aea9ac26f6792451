"""Tests: real PostgreSQL and Redis, S3 through a local moto server, mail in memory."""

from __future__ import annotations

import os
import socket

import dj_database_url

from mixora.queues import DEFAULT as DEFAULT_QUEUE
from mixora.queues import queue_name, task_queues, task_routes

from .base import *  # noqa: F403
from .csp import content_security_policy
from .env import env_str
from .linkedin_version import current_linkedin_version


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MIXORA_MODE = "test"
DEBUG = False
SECRET_KEY = "test-only-key-not-secret-" + "x" * 40  # noqa: S105
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"), conn_max_age=0
    )
}
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # One prefix per test process, so parallel runs never share rate-limit counters; the
        # workers a test starts inherit it, and count against the same budgets.
        "KEY_PREFIX": os.environ.setdefault("MIXORA_TEST_CACHE", f"mixora-test-{os.getpid()}"),
    }
}
CELERY_BROKER_URL = REDIS_URL

# The S3 stand-in: conftest starts moto's server on this port before any test runs.
S3_TEST_PORT = int(env_str("S3_TEST_PORT", "0")) or _free_port()
os.environ["S3_TEST_PORT"] = str(S3_TEST_PORT)  # a re-import (xdist, subprocesses) agrees
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "mixora-test",
            "endpoint_url": f"http://127.0.0.1:{S3_TEST_PORT}",
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_CSP = content_security_policy(STORAGES["default"])

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
LOGGING["loggers"]["werkzeug"] = {"level": "WARNING"}  # noqa: F405 - moto's request log

# The platform emulator: conftest starts `python -m emulator` on this port.
EMULATOR_TEST_PORT = int(env_str("EMULATOR_TEST_PORT", "0")) or _free_port()
os.environ["EMULATOR_TEST_PORT"] = str(EMULATOR_TEST_PORT)
EMULATOR_URL = f"http://127.0.0.1:{EMULATOR_TEST_PORT}"
PLATFORM_CREDENTIALS = {
    provider: (f"test-{provider}-client", f"test-{provider}-secret")
    for provider in ("meta", "x", "tiktok", "google", "linkedin")
}
META_WEBHOOK_VERIFY_TOKEN = "test-verify-token"
X_CONSUMER_KEY = "test-x-consumer-key"
X_CONSUMER_SECRET = "test-x-consumer-secret"
X_API_PLAN = "self_serve"
LINKEDIN_APP_ID = "219000009"
# Two keys, so decryption with an older key is exercised; the first encrypts.
TOKEN_ENCRYPTION_KEYS = [
    "rS2Dd1bBuYs3Gk8l1v0Q8gqv1m2xq7f8hK4ce9ZpXRE=",
    "GsH3Q0QxQn6sWg7m3Y9WqVvE3o6ZbB2a3uYk2lmJ1aM=",
]
# Queues of their own per test process: what a test enqueues is readable and never reaches
# anyone else. setdefault: a worker process started by a test inherits them through the
# environment.
CELERY_QUEUE_PREFIX = os.environ.setdefault("CELERY_TEST_QUEUE", f"mixora-test-{os.getpid()}") + "."
CELERY_TASK_DEFAULT_QUEUE = queue_name(DEFAULT_QUEUE, CELERY_QUEUE_PREFIX)
CELERY_TASK_ROUTES = task_routes(CELERY_QUEUE_PREFIX)
CELERY_TASK_QUEUES = task_queues(CELERY_QUEUE_PREFIX)
# oauthlib refuses plain http; the emulator speaks http on loopback (never in production).
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
PUBLISH_POLL_INTERVAL = 0.05
# The emulator retires LinkedIn versions by its clock, as LinkedIn does: speak a current one.
LINKEDIN_API_VERSION = current_linkedin_version()
# Billing against the emulator's Stripe (it accepts any sk_test_ key). Two webhook secrets, as
# during a rotation; tests register the endpoint with the one they sign with.
BILLING_ENABLED = True
STRIPE_SECRET_KEY = "sk_test_mixora"  # noqa: S105
STRIPE_WEBHOOK_SECRETS = ["whsec_test_current", "whsec_test_previous"]
STRIPE_API_BASE = f"{EMULATOR_URL}/stripe"
STRIPE_MAX_RETRIES = 0
# AI drafts against the emulator's OpenAI (it accepts any sk- key); tests clear the key to see
# "not configured".
OPENAI_API_KEY = "sk-test-mixora"
OPENAI_BASE_URL = f"{EMULATOR_URL}/openai/v1"
OPENAI_TIMEOUT = 5
OPENAI_MAX_RETRIES = 1
