"""Production: PostgreSQL, Redis, S3, SMTP. Refuses to start on an insecure setting."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    AWS_STORAGE_BUCKET_NAME,
    BILLING_ENABLED,
    DATABASES,
    DEBUG,
    EMULATOR_URL,
    REDIS_URL,
    SECRET_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRETS,
    TOKEN_ENCRYPTION_KEYS,
)
from .env import env_bool, env_int, env_str

MIXORA_MODE = "production"

_INSECURE_KEY_MARKERS = ("django-insecure", "change-me", "changeme", "test-only", "secret")

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in _INSECURE_KEY_MARKERS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or a placeholder: set at least 50 random characters."
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts Mixora serves (no '*').")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("AWS_STORAGE_BUCKET_NAME is required: production media lives in S3.")
if not TOKEN_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is required: platform tokens are encrypted.")
if EMULATOR_URL:
    raise ImproperlyConfigured(
        "EMULATOR_URL must not be set in production: use the real platforms."
    )
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production (cache and Celery broker).")
if BILLING_ENABLED and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS):
    raise ImproperlyConfigured(
        "BILLING_ENABLED needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS (the signing "
        "secret of the /webhooks/stripe/ endpoint)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
COOKIE_CONSENT_SECURE = True
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }
}
