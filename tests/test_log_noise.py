"""What the logs print: a 403 is one line, once; in the local mode the every-second
dispatcher does not fill the terminal."""

from __future__ import annotations

import io
import logging
import textwrap

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import MembershipFactory
from tests.test_healthz_and_settings import run_with_env


@pytest.fixture
def printed():
    """What every console handler of the configured logging prints (pytest's own capture
    handlers left out), in one stream."""
    stream = io.StringIO()
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {
        handler
        for logger in loggers
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if type(handler) is logging.StreamHandler
    }
    before = {handler: handler.setStream(stream) for handler in handlers}
    yield stream
    for handler, old in before.items():
        handler.setStream(old)


@pytest.mark.django_db
def test_a_403_prints_one_line_without_a_traceback(client, settings, printed):
    settings.DEBUG = True  # as in `make run`, where Django's own console handler is on too
    viewer = MembershipFactory(role=Role.VIEWER)
    client.force_login(viewer.user)
    url = reverse("workspace_settings", args=[viewer.workspace.slug])
    assert client.get(url).status_code == 403
    output = printed.getvalue()
    assert output.count("Forbidden (Permission denied)") == 1, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output


@pytest.mark.django_db
def test_a_server_error_still_prints_its_traceback_once(settings, printed):
    settings.DEBUG = True
    try:
        raise RuntimeError("the database went away")
    except RuntimeError as exc:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/x", exc_info=exc, extra={"status_code": 500}
        )
    output = printed.getvalue()
    assert output.count("Traceback") == 1, output
    assert "the database went away" in output


IN_LOCAL_MODE = textwrap.dedent(
    """
    import logging, django
    django.setup()
    from django.http import HttpResponse
    from django.utils.log import log_response
    from django.core.exceptions import PermissionDenied
    log_response("Forbidden (Permission denied): %s", "/w/x/", response=HttpResponse(status=403),
                 exception=PermissionDenied())
    trace = logging.getLogger("celery.app.trace")
    received = logging.getLogger("celery.worker.strategy")
    line = "Task %(name)s[%(id)s] received"
    received.info(line, {"name": "publishing.tasks.dispatch_due_targets", "id": "1"})
    trace.info("Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
               {"name": "publishing.tasks.dispatch_due_targets", "id": "1", "runtime": 0.01,
                "return_value": 0})
    received.info(line, {"name": "publishing.tasks.publish_target", "id": "2"})
    trace.error("Task %(name)s[%(id)s] raised unexpected: %(exc)s",
                {"name": "publishing.tasks.dispatch_due_targets", "id": "3", "exc": "boom"})
    """
)


def test_the_local_mode_terminal_leaves_out_the_routine_lines(tmp_path):
    result = run_with_env(
        ["-c", IN_LOCAL_MODE],
        DJANGO_SETTINGS_MODULE="mixora.settings.local",
        MIXORA_VAR_DIR=str(tmp_path),
        DATABASE_URL=None,
        REDIS_URL=None,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    # runserver prints the 403's request line itself; django.request adds nothing.
    assert not any("Forbidden" in line for line in lines), lines
    assert not any("dispatch_due_targets[1]" in line for line in lines), lines
    assert any("publish_target[2] received" in line for line in lines), lines
    assert any("dispatch_due_targets[3] raised" in line for line in lines), lines
