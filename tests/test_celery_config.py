"""Every task's limits are set on purpose and consistent: a soft limit above the hard one
makes Celery refuse the task when a worker runs it."""

from __future__ import annotations

from django.conf import settings

from mixora.celery import app


def our_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_has_a_soft_limit_under_its_hard_limit():
    tasks = our_tasks()
    assert len(tasks) >= 8
    for name, task in tasks.items():
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft < hard, f"{name}: soft {soft} >= hard {hard}"


def test_every_beat_entry_names_a_real_task_and_expires_with_its_interval():
    tasks = our_tasks()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks
        assert entry["options"]["expires"] == entry["schedule"]
