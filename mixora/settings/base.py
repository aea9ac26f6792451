"""Settings shared by every mode. Each mode module (local, test, production) imports this
and overrides what differs; every value a deployment may change comes from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from mixora.queues import DEFAULT as DEFAULT_QUEUE
from mixora.queues import queue_name, task_queues, task_routes

from .csp import content_security_policy
from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MIXORA_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "cookie_consent",
    "mixora",
    "audit",
    "accounts",
    "support",
    "privacy",
    "notifications",
    "connections",
    "assistant",
    "publishing",
    "inbox",
    "insights",
    "consent",
    "legal",
    "exports",
    "retention",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every response, error pages included, carries SECURE_CSP (mixora/settings/csp.py).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the body (the CSRF check reads POST): see mixora/request_size.py.
    "mixora.request_size.RequestSizeLimitMiddleware",
    # The platforms' webhooks skip everything below: no session, person or consent there.
    "mixora.middleware_machine.MachineEndpointsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Cookie consent with Global Privacy Control, then first-party page views (only with
    # analytics consent): see consent/middleware.py.
    "consent.middleware.ConsentMiddleware",
    "consent.middleware.PageViewMiddleware",
]
# django-cookie-consent: ask again after about six months (the package's default is a year).
COOKIE_CONSENT_MAX_AGE = 60 * 60 * 24 * 180

ROOT_URLCONF = "mixora.urls"
# How many proxies (load balancer, nginx) stand in front of Mixora: the client's address is
# then the one the outermost of them added to X-Forwarded-For (mixora/client_ip.py). 0: none,
# REMOTE_ADDR is the client. allauth's rate limits read the same count.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Error pages never show client credentials or connection URLs (mixora/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "mixora.reporting.SettingsFilter"
# Widget templates may be overridden from templates/ like any other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "mixora.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.workspace_shell",
                "notifications.context_processors.unread_notifications",
                "legal.context_processors.legal_notices",
                "billing.context_processors.billing_banner",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mixora.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The local mode's web server, worker and beat share one file: a writer waits for another
    # (IMMEDIATE takes the lock when a transaction starts, so none fails upgrading a read),
    # and readers go on beside it (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A connection is kept for 60 s of reuse (web threads and, through mixora/celery.py, worker
# threads), and checked before it is reused after an error or a database restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Paths answered for machines only (mixora/middleware_machine.py).
MACHINE_PATH_PREFIXES = ["/webhooks/"]

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mixora"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "us-east-1"),
            "access_key": env_str("AWS_ACCESS_KEY_ID"),
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
            # Media is private: every URL is signed and expires.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
else:
    # Files on disk, served at MEDIA_URL only to the people allowed to see each one.
    _default_storage = {"BACKEND": "mixora.media_access.LocalMediaStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Images may come from the media storage's host; a mode that changes the storage recomputes it.
SECURE_CSP = content_security_policy(STORAGES["default"])

# --- Email -------------------------------------------------------------------------------
# Django 6.1 mail configuration. Local mode prints mail to the console; production sends
# through SMTP (see production.py).
# The local mode prints each email readably in the terminal (production sends them by SMTP).
MAILERS = {"default": {"BACKEND": "mixora.local_mail.ReadableConsoleBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mixora <hello@mixora.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@mixora.io")

# --- Authentication (django-allauth) ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtrasForm"
ACCOUNT_FORMS = {"login": "accounts.auth_forms.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mixora] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's default rate limits stay on (login failures, sign-ups, password resets, ...).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mixora"

# --- Sessions and security --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Uploads -----------------------------------------------------------------------------
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 4096
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body taken at all: one 1 GB video plus the rest of the composer form.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024 * 1024 * 1024 + 16 * 1024 * 1024)

# --- Retention (retention/rules.py is the table) --------------------------------------------
# Security and activity log: the policy says 30–180 days.
AUDIT_LOG_RETENTION_DAYS = min(180, max(30, env_int("AUDIT_LOG_RETENTION_DAYS", 180)))
RETENTION_BATCH = 1000

# --- Deletion ----------------------------------------------------------------------------
# A deleted account or workspace is gone from the product at once; what remains (and backups)
# is purged after this many days (privacy policy: "backups purge within ~30 days").
DELETION_GRACE_DAYS = 30

# --- Invitations -------------------------------------------------------------------------
INVITATION_MAX_AGE_DAYS = 7

# --- Connected platforms ---------------------------------------------------------------------
# Set in the local mode and tests: every platform URL then points at the emulator.
EMULATOR_URL = env_str("EMULATOR_URL").rstrip("/")
META_GRAPH_VERSION = env_str("META_GRAPH_VERSION", "v25.0")
# OAuth client credentials per provider; a provider without them shows as "not configured".
PLATFORM_CREDENTIALS = {
    "meta": (env_str("META_APP_ID"), env_str("META_APP_SECRET")),
    "x": (env_str("X_CLIENT_ID"), env_str("X_CLIENT_SECRET")),
    "tiktok": (env_str("TIKTOK_CLIENT_KEY"), env_str("TIKTOK_CLIENT_SECRET")),
    "google": (env_str("GOOGLE_CLIENT_ID"), env_str("GOOGLE_CLIENT_SECRET")),
    "linkedin": (env_str("LINKEDIN_CLIENT_ID"), env_str("LINKEDIN_CLIENT_SECRET")),
}
# Fernet keys for platform tokens at rest, comma-separated, newest first (MultiFernet).
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS")
# Seconds: connect, read. Every platform call has both.
PLATFORM_HTTP_TIMEOUT = (5, 20)
# Waiting on a platform's processing (Instagram containers, X video, TikTok posts).
PUBLISH_POLL_INTERVAL = 10.0  # seconds between polls
PUBLISH_POLL_ATTEMPTS = 30
# Refresh a token this long before it expires.
TOKEN_REFRESH_MARGIN_SECONDS = 15 * 60

# --- Inbox -------------------------------------------------------------------------------
# Meta checks this token when the webhook URL is saved in the App Dashboard; Meta signs each
# delivery with the app secret (PLATFORM_CREDENTIALS["meta"]).
META_WEBHOOK_VERIFY_TOKEN = env_str("META_WEBHOOK_VERIFY_TOKEN")
# X signs webhook deliveries (and answers CRC) with the app's consumer secret, which is not
# the OAuth 2.0 client secret; the consumer key and secret also get the app-only Bearer token
# that registers the webhook and manages X Activity API subscriptions.
X_CONSUMER_KEY = env_str("X_CONSUMER_KEY")
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET")
# The X API plan this deployment pays for: self_serve (Pay Per Use, Basic, Pro), enterprise or
# partner. Its X Activity API subscription cap decides how many X accounts get an inbox, and
# self-serve apps may only reply to posts whose author mentioned the account.
X_API_PLAN = env_str("X_API_PLAN", "self_serve")
# LinkedIn: the app's id in the Developer Portal (linkedin.com/developers/apps/<id>), part of
# each page's event subscription key; unset, LinkedIn comments are only polled. The webhook
# URL itself is set in the portal's Webhooks tab; LinkedIn signs with LINKEDIN_CLIENT_SECRET.
LINKEDIN_APP_ID = env_str("LINKEDIN_APP_ID")
# The LinkedIn-Version (YYYYMM) Mixora speaks. LinkedIn retires a version about a year after
# its release: `manage.py check` warns from ten months on, so it is bumped in time.
LINKEDIN_API_VERSION = env_str("LINKEDIN_API_VERSION", "202611")
# YouTube has no comment webhook: a busy channel is polled this often; quiet channels, and all
# of them when the day's quota runs low, up to 8x less (connections/platforms/youtube/cadence.py).
INBOX_POLL_SECONDS = 300
# The Google project's YouTube Data API quota, shared by every workspace (resets at midnight
# Pacific): units a day, the part of it polling may not touch (kept for replies), and
# videos.insert's own daily bucket (developers.google.com/youtube/data/determine_quota_cost).
YOUTUBE_DAILY_QUOTA_UNITS = env_int("YOUTUBE_DAILY_QUOTA_UNITS", 10_000)
YOUTUBE_QUOTA_RESERVE_UNITS = env_int("YOUTUBE_QUOTA_RESERVE_UNITS", 2_000)
YOUTUBE_DAILY_UPLOADS = env_int("YOUTUBE_DAILY_UPLOADS", 100)
INBOX_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
INBOX_PURGE_BATCH = 1000

# --- Billing (Stripe) ----------------------------------------------------------------------
# Off unless this deployment sells plans; when on, production requires the key and a secret.
BILLING_ENABLED = env_bool("BILLING_ENABLED", False)
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
# Signing secrets of the /webhooks/stripe/ endpoint, comma-separated: during a rotation the new
# and the old one are both accepted.
STRIPE_WEBHOOK_SECRETS = env_list("STRIPE_WEBHOOK_SECRETS")
# Unset in production (the SDK's api.stripe.com); the local mode and tests point it at the
# emulator's Stripe (EMULATOR_URL + "/stripe").
STRIPE_API_BASE = env_str("STRIPE_API_BASE").rstrip("/") or (
    f"{EMULATOR_URL}/stripe" if EMULATOR_URL else ""
)
# Checkout computes tax and collects tax ids (needs Stripe Tax set up in the Dashboard).
STRIPE_AUTOMATIC_TAX = env_bool("STRIPE_AUTOMATIC_TAX", False)
# The SDK retries connection errors, 409, 5xx and Stripe-Should-Retry with backoff (0.5-5 s);
# POSTs are safe to retry because each carries an idempotency key.
STRIPE_MAX_RETRIES = env_int("STRIPE_MAX_RETRIES", 2)
STRIPE_HTTP_TIMEOUT = (5, 30)  # seconds: connect, read
# A signed webhook older than this is refused (Stripe's own default tolerance).
STRIPE_WEBHOOK_TOLERANCE = 300
# past_due: full access and a banner for this many days after the payment failed, then read-only.
PAST_DUE_GRACE_DAYS = env_int("PAST_DUE_GRACE_DAYS", 7)
# Over a (lower) plan's limits after a downgrade: this many days before extra accounts pause.
OVER_LIMIT_GRACE_DAYS = env_int("OVER_LIMIT_GRACE_DAYS", 14)

# --- AI drafts (OpenAI Responses API) -------------------------------------------------------
# Empty: the AI features say "not configured" and what to set. The local mode and tests point
# the client at the emulator (EMULATOR_URL + "/openai/v1").
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL").rstrip("/") or (
    f"{EMULATOR_URL}/openai/v1" if EMULATOR_URL else ""
)
OPENAI_MODEL = env_str("OPENAI_MODEL", "gpt-4.1-mini")
OPENAI_TIMEOUT = env_int("OPENAI_TIMEOUT", 30)  # seconds: to connect, and between answer chunks
# Our own retries, of 5xx and connection failures before any output arrived (never a 429:
# the person is told when to try again instead of waiting).
OPENAI_MAX_RETRIES = env_int("OPENAI_MAX_RETRIES", 1)

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# Redis re-delivers an unacknowledged task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# Celery's Django fix-up closes every database connection around every task unless this is
# set; mixora/celery.py closes only old or broken ones instead, as Django does per request.
CELERY_DB_REUSE_MAX = 1_000_000
# Targets per publish task: enough to share its queries and Celery's work among many posts,
# few enough that the queue spreads a burst over every worker.
PUBLISH_TASK_SIZE = env_int("PUBLISH_TASK_SIZE", 25)
# Platform calls a publish worker process keeps in flight at once (publishing.calls): each
# waits on a network. Each of these threads keeps a database connection for checkpoints.
PUBLISH_CALLS_IN_FLIGHT = env_int("PUBLISH_CALLS_IN_FLIGHT", 48)
# How long a publish task gathers finished calls before recording their outcomes together.
PUBLISH_SETTLE_GATHER_SECONDS = 0.05
# A publish task whose calls have not finished for this long hands them off (they record
# their own outcomes when they end) and takes the next batch: a hanging network never holds
# a task's thread for its full timeout.
PUBLISH_HAND_OFF_SECONDS = 2.0
# Four queues with their own workers (mixora/queues.py); a prefix keeps deployments (or test
# processes) sharing one Redis apart.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "")
CELERY_TASK_DEFAULT_QUEUE = queue_name(DEFAULT_QUEUE, CELERY_QUEUE_PREFIX)
CELERY_TASK_ROUTES = task_routes(CELERY_QUEUE_PREFIX)
CELERY_TASK_QUEUES = task_queues(CELERY_QUEUE_PREFIX)
# Named periodic jobs; each expires after its own interval so a backlog never piles up.
# Safe to start twice: only the holder of a Redis lease sends (mixora/beat.py).
CELERY_BEAT_SCHEDULER = "mixora.beat:LeaderScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "refresh-expiring-platform-tokens": {
        "task": "connections.tasks.refresh_expiring_tokens",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Every second: a post due at 09:00 leaves within about a second of 09:00.
    "dispatch-due-posts": {
        "task": "publishing.tasks.dispatch_due_targets",
        "schedule": 1.0,
        "options": {"expires": 1},
    },
    # Published posts' metrics at their due readings; followers once a day.
    "collect-post-metrics": {
        "task": "insights.tasks.collect_metrics",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "collect-followers": {
        "task": "insights.tasks.collect_followers",
        "schedule": 86400.0,
        "options": {"expires": 86400},
    },
    "expire-missed-posts": {
        "task": "publishing.tasks.expire_missed_posts",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "process-stale-webhooks": {
        "task": "inbox.tasks.process_stale_deliveries",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "sweep-inbox-replies": {
        "task": "inbox.tasks.sweep_replies",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "poll-inbox-comments": {
        "task": "inbox.tasks.poll_accounts",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "wake-snoozed-conversations": {
        "task": "inbox.tasks.wake_snoozed",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "purge-expired-inbox-messages": {
        "task": "inbox.tasks.purge_expired",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "apply-retention-rules": {
        "task": "retention.tasks.apply_retention",
        "schedule": 86400.0,
        "options": {"expires": 86400},
    },
    "purge-unconfirmed-privacy-requests": {
        "task": "privacy.tasks.purge_unconfirmed_requests",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "check-connected-accounts": {
        "task": "connections.tasks.check_accounts",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # Stripe events whose task was lost (broker down at receipt) get processed.
    "process-stale-stripe-events": {
        "task": "billing.tasks.process_stale_events",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Nightly: every subscription re-read from Stripe, and events a missed webhook lost replayed.
    "reconcile-billing": {
        "task": "billing.tasks.reconcile_billing",
        "schedule": 86400.0,
        "options": {"expires": 86400},
    },
    # Daily: over-limit grace periods end (extra accounts pause) or are over (they resume).
    "settle-over-limit-workspaces": {
        "task": "billing.grace.settle_over_limit_workspaces",
        "schedule": 86400.0,
        "options": {"expires": 86400},
    },
}

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors_in_one_line": {"()": "mixora.log_filters.ClientErrorsInOneLine"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors_in_one_line"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django gives "django" a console handler of its own when DEBUG is on; with the root's,
        # every line (a 403's traceback included) printed twice. Through the root only.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # Their DEBUG output includes request URLs and token responses: never below WARNING.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # The Stripe SDK logs every request's URL at INFO.
        "stripe": {"level": "WARNING"},
    },
}
