"""Logging filters: what the terminal of `make run` and a server's log should not repeat."""

from __future__ import annotations

import logging

from django.conf import settings


class ClientErrorsInOneLine(logging.Filter):
    """A 4xx (a refusal working as designed, a missing page) is one line: Django attaches the
    exception to the record, which prints a whole traceback for every 403."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class QuietRoutineTasks(logging.Filter):
    """Drops the worker's "received" and "succeeded" lines of the tasks beat sends on a
    schedule (the publisher's dispatcher runs every second); their failures still print."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not isinstance(record.args, dict):
            return True
        routine = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        return record.args.get("name") not in routine
