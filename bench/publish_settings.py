"""Settings of the publish benchmark's processes: the test settings, with what the bench varies.

The test settings give each process its own cache prefix (its pid); here every process of one
run shares the bench's, so the per-account publishing budgets (connections/throttle.py) are one
across the workers, as in production.

BENCH_DB_REUSE=1 keeps each worker thread's database connection between tasks, as production
does now (CONN_MAX_AGE, with mixora/celery.py closing only old or broken connections around a
task). Unset, the test settings' CONN_MAX_AGE of 0 closes it after every task: each task opens a
connection of its own, as Mixora's workers did before (the baseline)."""

import os

from mixora.settings.test import *  # noqa: F403
from mixora.settings.test import CACHES, DATABASES

CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]
if os.environ.get("BENCH_DB_REUSE") == "1":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
PUBLISH_TASK_SIZE = int(os.environ.get("BENCH_TASK_SIZE", PUBLISH_TASK_SIZE))  # noqa: F405
PUBLISH_CALLS_IN_FLIGHT = int(os.environ.get("BENCH_CALLS", PUBLISH_CALLS_IN_FLIGHT))  # noqa: F405
