"""The embedded local default (`make run`): SQLite, a broker that needs no server,
local media, console email. Never for a server reachable by anyone else."""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR
from .env import env_bool, env_list
from .linkedin_version import current_linkedin_version

MIXORA_MODE = "local"
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")


def _local_secret_key() -> str:
    """One random key per checkout, kept in var/ so sessions survive a restart."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()  # noqa: F405


def _local_token_key() -> list[str]:
    path = VAR_DIR / "token_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode(), encoding="utf-8")
    return [path.read_text(encoding="utf-8").strip()]


TOKEN_ENCRYPTION_KEYS = TOKEN_ENCRYPTION_KEYS or _local_token_key()  # noqa: F405
# OAuth callbacks and email links follow `PORT=8080 make run`.
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
EMULATOR_PORT = int(os.environ.get("EMULATOR_PORT", "8100"))
EMULATOR_URL = EMULATOR_URL or f"http://127.0.0.1:{EMULATOR_PORT}"  # noqa: F405
# Every provider is configured against the emulator, which accepts any client id.
PLATFORM_CREDENTIALS = {
    provider: (client_id or f"mixora-local-{provider}", secret or "local-emulator-secret")
    for provider, (client_id, secret) in PLATFORM_CREDENTIALS.items()  # noqa: F405
}

# The emulator signs webhooks with the local secret above; the demo's X plan allows the inbox.
META_WEBHOOK_VERIFY_TOKEN = META_WEBHOOK_VERIFY_TOKEN or "mixora-local-verify"  # noqa: F405
X_CONSUMER_SECRET = X_CONSUMER_SECRET or "local-emulator-secret"  # noqa: F405
LINKEDIN_APP_ID = LINKEDIN_APP_ID or "219000001"  # noqa: F405
X_CONSUMER_KEY = X_CONSUMER_KEY or "mixora-local-x-consumer"  # noqa: F405
INBOX_POLL_SECONDS = 30
# Billing against the emulator's Stripe; run_local.py gives the emulator the same webhook secret.
BILLING_ENABLED = env_bool("BILLING_ENABLED", True)
STRIPE_SECRET_KEY = STRIPE_SECRET_KEY or "sk_test_mixora_local"  # noqa: F405
STRIPE_WEBHOOK_SECRETS = STRIPE_WEBHOOK_SECRETS or ["whsec_mixora_local"]  # noqa: F405
STRIPE_API_BASE = STRIPE_API_BASE or f"{EMULATOR_URL}/stripe"  # noqa: F405
# AI drafts against the emulator's OpenAI, which accepts any sk- key.
OPENAI_API_KEY = OPENAI_API_KEY or "sk-local-emulator"  # noqa: F405
OPENAI_BASE_URL = OPENAI_BASE_URL or f"{EMULATOR_URL}/openai/v1"  # noqa: F405

_BROKER_DIR = VAR_DIR / "broker"
for _sub in ("queue", "processed"):
    (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    CELERY_BROKER_TRANSPORT = "mixora.local_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
# Sent emails, kept for the /_dev/mail/ page (mixora/local_mail.py).
LOCAL_MAIL_DIR = VAR_DIR / "mail"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# oauthlib refuses plain http; the emulator speaks http on loopback (never in production).
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
# The emulator finishes processing in a poll or two.
PUBLISH_POLL_INTERVAL = 0.5
# The emulator retires LinkedIn versions by its clock, as LinkedIn does: speak a current one.
LINKEDIN_API_VERSION = current_linkedin_version()

# The terminal of `make run`: runserver already prints each request with its status, so
# django.request keeps only server errors (with their traceback); the worker leaves out the
# every-second dispatcher's "received"/"succeeded" lines (scripts/run_local.py runs beat at
# WARNING for the same reason).
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
LOGGING["filters"]["routine_tasks"] = {"()": "mixora.log_filters.QuietRoutineTasks"}  # noqa: F405
for _logger in ("celery.app.trace", "celery.worker.strategy"):
    LOGGING["loggers"][_logger] = {"filters": ["routine_tasks"]}  # noqa: F405
