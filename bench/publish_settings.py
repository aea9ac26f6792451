"""Settings of the publish benchmark's processes: the test settings, with what the bench varies.

The test settings give each process its own cache prefix (its pid); here every process of one
run shares the bench's, so the per-account publishing budgets (connections/throttle.py) are one
across the workers, as in production.

BENCH_DB_REUSE=1 keeps each worker thread's database connection between tasks: Celery's Django
fixup closes every connection before and after every task unless CELERY_DB_REUSE_MAX is set
(CONN_MAX_AGE alone does nothing in a worker). Unset, a task opens a connection of its own,
as Mixora's workers do today."""

import os

from mixora.settings.test import *  # noqa: F403
from mixora.settings.test import CACHES, DATABASES

CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]
if os.environ.get("BENCH_DB_REUSE") == "1":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    CELERY_DB_REUSE_MAX = 100_000
