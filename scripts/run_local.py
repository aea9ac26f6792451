"""`make run`: the platform emulator, the web server, a Celery worker and Celery beat in the
local mode.

Ctrl-C (or SIGTERM) stops every process this started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mixora.settings.local", "PYTHONUNBUFFERED": "1"}
    emulator_port = os.environ.get("EMULATOR_PORT", "8100")
    commands = {
        "emulator": [sys.executable, "-m", "emulator", "--port", emulator_port],
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [str(BIN / "celery"), "-A", "mixora", "worker", "--pool=solo", "-l", "info"],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "mixora",
            "beat",
            "-l",
            "info",
            "-s",
            str(Path(os.environ.get("MIXORA_VAR_DIR") or ROOT / "var") / "celerybeat-schedule"),
        ],
    }
    procs = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
        for name, cmd in commands.items()
    }
    print(
        f"\nMixora is starting at http://127.0.0.1:{port}, the platform emulator at "
        f"http://127.0.0.1:{emulator_port}  (Ctrl-C stops everything)\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
