"""The README's `make run` path: the embedded local default (SQLite, file broker, local
media) migrates, seeds Demo Co idempotently, lets every demo user in, and stops cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the local settings: logs each demo user in and follows "/" to the workspace.
LOGIN_EVERY_DEMO_USER = """
import json, django
django.setup()
from django.test import Client
from accounts.demo import DEMO_MEMBERS, DEMO_PASSWORD, DEMO_SUPPORT
landed = {}
for email, _name, _role in DEMO_MEMBERS:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    response = client.get("/", follow=True)
    chain = response.redirect_chain
    landed[email] = [response.status_code, chain[-1][0] if chain else ""]
client = Client()
client.post("/admin/login/", {"username": DEMO_SUPPORT[0], "password": DEMO_PASSWORD})
landed[DEMO_SUPPORT[0]] = [client.get("/admin/support/supportticket/").status_code, ""]
print(json.dumps(landed))
"""


def _local_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="mixora.settings.local", MIXORA_VAR_DIR=str(var_dir))
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated local-mode install in a temporary var/ directory."""
    env = _local_env(tmp_path_factory.mktemp("var"))
    _manage(env, "migrate", "--noinput")
    return env


def test_demo_seed_is_idempotent_and_every_demo_user_reaches_demo_co(local_env):
    env = local_env
    first = _manage(env, "seed_demo")
    second = _manage(env, "seed_demo")
    assert "owner@demo.test" in first
    assert "mixora-demo-1" in first
    assert first == second

    result = subprocess.run(
        [sys.executable, "-c", LOGIN_EVERY_DEMO_USER],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    landed = json.loads(result.stdout.strip().splitlines()[-1])
    for email in ("owner", "admin", "editor", "approver", "viewer"):
        assert landed[f"{email}@demo.test"] == [200, "/w/demo-co/"]
    assert landed["support@demo.test"][0] == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(status.parent.name))
    return found


def _long_running(pid: int) -> set[int]:
    """The children that serve (emulator, web, worker, beat), not the one-off set-up jobs."""
    one_off = (b"register_webhooks", b"seed_plans", b"seed_demo_history")
    found = set()
    for child in _children(pid):
        with contextlib.suppress(OSError):
            if not any(job in Path(f"/proc/{child}/cmdline").read_bytes() for job in one_off):
                found.add(child)
    return found


def test_run_serves_with_worker_and_beat_and_ctrl_c_stops_them_all(local_env):
    env = dict(local_env)
    env["PORT"] = str(port := _free_port())
    env["EMULATOR_PORT"] = str(_free_port())
    runner = subprocess.Popen(
        [sys.executable, "scripts/run_local.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
                    break
            except OSError:
                time.sleep(0.5)
        assert health == {
            "status": "ok",
            "checks": {"database": "ok", "broker": "ok", "storage": "ok"},
        }
        # emulator, web, worker, beat; beside them, for a while, the set-up jobs (webhooks,
        # plans, the demo's history), which Ctrl-C stops too
        deadline = time.monotonic() + 30
        while len(_long_running(runner.pid)) != 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_long_running(runner.pid)) == 4
        children = _children(runner.pid)
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=30) == 0
        time.sleep(0.5)
        assert all(not Path(f"/proc/{pid}").exists() for pid in children)
    finally:
        if runner.poll() is None:
            # A failed run must not leave its server, worker or beat behind.
            for pid in _children(runner.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            runner.kill()


def test_local_broker_moves_only_complete_messages_into_the_queue(tmp_path):
    """The local mode's file broker writes each message beside the queue and renames it in,
    so a worker listing the queue folder never sees a half-written file."""
    from kombu import Connection

    queue_dir, processed = tmp_path / "queue", tmp_path / "processed"
    queue_dir.mkdir()
    processed.mkdir()
    options = {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed),
        "control_folder": str(tmp_path / "control"),
    }
    with Connection(
        "filesystem://", transport="mixora.local_broker:Transport", transport_options=options
    ) as connection:
        queue = connection.SimpleQueue("local-test")
        queue.put({"n": 1})
        files = list(queue_dir.glob("*.local-test.msg"))
        assert len(files) == 1
        assert files[0].stat().st_size > 0
        assert not list((tmp_path / "writing").iterdir())
        message = queue.get(timeout=1)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
