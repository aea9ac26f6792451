"""`make run`: the platform emulator, the web server, a Celery worker and Celery beat in the
local mode.

Ctrl-C (or SIGTERM) stops every process this started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _set_up(
    port: str, env: dict, web: subprocess.Popen, jobs: list[subprocess.Popen], stop: threading.Event
) -> None:
    """Once the site answers: the emulator's webhooks deliver to it (the inbox), the plans get
    their prices in the emulator's Stripe (its state lives in memory: new each run), and Demo Co
    gets its analytics history. Each runs as a job that Ctrl-C stops too."""
    site = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with urllib.request.urlopen(f"{site}/healthz", timeout=2):  # noqa: S310 - our own URL
                break
        except OSError:
            time.sleep(0.5)
    for command in (["register_webhooks", site], ["seed_plans"], ["seed_demo_history"]):
        if stop.is_set():
            return
        job = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, start_new_session=True
        )
        jobs.append(job)
        job.wait()


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mixora.settings.local", "PYTHONUNBUFFERED": "1"}
    emulator_port = os.environ.get("EMULATOR_PORT", "8100")
    # The emulator's Stripe delivers to our endpoint, signed with local.py's webhook secret.
    stripe_secret = (os.environ.get("STRIPE_WEBHOOK_SECRETS") or "whsec_mixora_local").split(",")[0]
    emulator_env = {
        **env,
        "EMULATOR_STRIPE_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhooks/stripe/",
        "EMULATOR_STRIPE_WEBHOOK_SECRET": stripe_secret,
    }
    commands = {
        "emulator": [sys.executable, "-m", "emulator", "--port", emulator_port],
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [str(BIN / "celery"), "-A", "mixora", "worker", "--pool=solo", "-l", "info"],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "mixora",
            "beat",
            # At INFO, beat prints a line for every task it sends: the dispatcher's, every second.
            "-l",
            "warning",
            "-s",
            str(Path(os.environ.get("MIXORA_VAR_DIR") or ROOT / "var") / "celerybeat-schedule"),
        ],
    }
    procs = {
        name: subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env=emulator_env if name == "emulator" else env, start_new_session=True
        )
        for name, cmd in commands.items()
    }
    print(
        f"\nMixora is starting at http://127.0.0.1:{port}, the platform emulator at "
        f"http://127.0.0.1:{emulator_port}  (Ctrl-C stops everything)\n"
        f"Emails it sends: printed here, and listed at http://127.0.0.1:{port}/_dev/mail/\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # In the background: the loop below keeps watching the processes meanwhile.
    jobs: list[subprocess.Popen] = []
    set_up_stop = threading.Event()
    threading.Thread(
        target=_set_up, args=(port, env, procs["web"], jobs, set_up_stop), daemon=True
    ).start()
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    set_up_stop.set()
    everything = [*procs.values(), *jobs]
    for proc in everything:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in everything:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
