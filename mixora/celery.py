from __future__ import annotations

import os

from celery import Celery, Task, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mixora.settings.local")

app = Celery("mixora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task reuses its thread's database connection, as a request does (CONN_MAX_AGE, health
# checks): opening one per task cost more than many tasks' own work. A task run eagerly, inside
# its caller (apply()), leaves the caller's connection alone.
@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(sender: Task, **kwargs: object) -> None:
    from django.db import close_old_connections

    if not getattr(sender.request, "is_eager", False):
        close_old_connections()
