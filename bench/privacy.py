"""Benchmarks of the privacy features, one subcommand each.

    .venv/bin/python bench/privacy.py export                      # 100,000 messages, 1 GB media
    .venv/bin/python bench/privacy.py export --messages 2000 --media-mb 20   # a quick run
    .venv/bin/python bench/privacy.py export --storage s3         # media in S3 (moto)
    .venv/bin/python bench/privacy.py purge                       # 1,000,000 expired rows

`export`: how long building one person's data export takes, and how much memory the
building process needs, for a person with many inbox replies and a lot of media. The build
runs in a fresh child process (the task function, as a worker runs it), once plainly (time
and peak RSS) and once under tracemalloc (peak Python allocations). Runs on its own
PostgreSQL database (dropped and created each run) on 127.0.0.1. bench/README.md ("Privacy")
says what is measured and shows a full-size run.

`purge`: the retention engine's rule for the security log over 1,000,000 expired rows (and
100,000 recent ones it must keep), while another connection keeps writing to the same table:
rows purged per second, the longest batch (each is one transaction: the longest any row lock
is held) and the writer's worst wait."""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests
from publish import (  # bench/ is this script's directory, first on sys.path
    ROOT,
    drop_database,
    free_port,
    loopback,
    recreate_database,
    say,
    stop,
    table,
    use_environment,
    wait_until,
    with_database,
)

if TYPE_CHECKING:
    from accounts.models import User

MB = 1024 * 1024
WORDS = """thanks for your message we ship to portugal in three working days the order left
this morning tracking number follows by email sorry about the delay our team is on it refund
is on its way please send a photo of the box we open at eight see you soon""".split()  # noqa: SIM905


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    export = commands.add_parser("export", help="build one person's data export")
    export.add_argument(
        "--messages", type=int, default=100_000, help="inbox replies and notes (default 100,000)"
    )
    export.add_argument(
        "--media-mb", type=int, default=1024, help="media uploaded, in MiB (default 1024)"
    )
    export.add_argument(
        "--file-mb", type=int, default=64, help="size of each media file, in MiB (default 64)"
    )
    export.add_argument(
        "--storage",
        choices=["local", "s3"],
        default="local",
        help="local files in a temporary folder (default), or S3 served by moto",
    )
    export.add_argument(
        "--database", default="mixora_bench_privacy", help="dropped and created each run"
    )
    export.add_argument("--keep", action="store_true", help="keep the database and files")

    purge = commands.add_parser("purge", help="the retention engine over expired rows")
    purge.add_argument(
        "--rows", type=int, default=1_000_000, help="expired rows (default 1,000,000)"
    )
    purge.add_argument("--batch", type=int, default=1000, help="rows per batch (default 1000)")
    purge.add_argument(
        "--database", default="mixora_bench_privacy", help="dropped and created each run"
    )
    purge.add_argument("--keep", action="store_true", help="keep the database")

    # Internal: the child process that builds one export and reports on itself.
    child = commands.add_parser("_build-export")
    child.add_argument("export_id", type=int)
    child.add_argument("--storage", choices=["local", "s3"], required=True)
    child.add_argument("--media-root", default="")
    child.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    if args.command in ("export", "purge") and "bench" not in args.database:
        parser.error("--database must contain 'bench': it is dropped")
    return args


# --- Storage -----------------------------------------------------------------------------


class MotoS3:
    """moto's S3 server on a free port, in its own process (its memory is not ours)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - the installed moto
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until(self._up, 30, "moto's S3 server to start")
        except BaseException:
            stop([self.process])
            raise
        # The test settings read the port from here, in this process and in the child.
        os.environ["S3_TEST_PORT"] = str(self.port)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("moto's server exited on start")
        try:  # the first request loads moto's backends: give it time
            return requests.get(self.url, timeout=10).status_code < 500
        except requests.RequestException:
            return False


def use_storage(kind: str, media_root: str) -> None:
    """Point default_storage at the bench's storage (after django.setup())."""
    from django.conf import settings
    from django.test.utils import override_settings

    if kind == "local":
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root},
        }
        override_settings(STORAGES={**settings.STORAGES, "default": default}).enable()
        return
    import boto3

    options = settings.STORAGES["default"]["OPTIONS"]
    boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name="us-east-1",
    ).create_bucket(Bucket=options["bucket_name"])


# --- Data --------------------------------------------------------------------------------


def create_person(messages: int) -> User:
    """A workspace owner who wrote `messages` inbox replies and notes on one Facebook Page."""
    from accounts.models import Membership, User, Workspace
    from connections.models import ConnectedAccount
    from inbox.models import Conversation, Message

    user = User.objects.create_user("bench@example.test", "x" * 12, full_name="Bench Person")
    workspace = Workspace.objects.create(name="Bench Co", slug="bench-co")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id="20000000000001",
        display_name="Bench Co",
        access_token=secrets.token_urlsafe(24),
        connected_by=user,
    )
    per_thread = 100
    threads = Conversation.objects.bulk_create(
        Conversation(
            workspace=workspace,
            account=account,
            kind=Conversation.Kind.MESSAGE,
            thread_key=f"psid-{n}",
            participant_id=f"psid-{n}",
            participant_name=f"Customer {n}",
        )
        for n in range((messages + per_thread - 1) // per_thread)
    )
    rng = secrets.SystemRandom()
    batch: list[Message] = []
    for n in range(messages):
        batch.append(
            Message(
                conversation=threads[n // per_thread],
                account=account,
                direction=Message.Direction.NOTE if n % 5 == 0 else Message.Direction.OUTBOUND,
                author=user,
                text=" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))),
                status=Message.Status.SENT,
            )
        )
        if len(batch) == 5000:
            Message.objects.bulk_create(batch)
            batch = []
    Message.objects.bulk_create(batch)
    return user


def create_media(user: User, total_mb: int, file_mb: int) -> int:
    """Media files of random bytes (incompressible, like real video), written in 1 MiB
    chunks through default_storage; the bytes stored."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    from publishing.models import Media

    workspace = user.workspaces.get()
    stored, index = 0, 0
    while stored < total_mb * MB:
        size = min(file_mb * MB, total_mb * MB - stored)
        with tempfile.TemporaryFile() as data:
            for _ in range(size // MB):
                data.write(os.urandom(MB))
            data.write(os.urandom(size % MB))
            name = default_storage.save(
                f"media/{workspace.pk}/bench-{index}.mp4", File(data, name="clip.mp4")
            )
        Media.objects.create(
            workspace=workspace,
            uploaded_by=user,
            file=name,
            kind="video",
            content_type="video/mp4",
            name=f"Bench clip {index}.mp4",
            size=size,
        )
        stored += size
        index += 1
    return stored


# --- The build, in a child process -------------------------------------------------------


def peak_rss() -> int:
    """This process's peak resident memory, in bytes.

    Linux's VmHWM belongs to the process image: getrusage's ru_maxrss survives exec, so in
    a child it starts at whatever the parent held when it forked."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:  # not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def build_in_child(args: argparse.Namespace) -> int:
    """`_build-export`: build one export with the task's function and print what it cost."""
    import django

    django.setup()
    use_storage(args.storage, args.media_root)
    import tracemalloc

    from django.urls import reverse

    from exports import services

    reverse("export_list")  # load the URLconf now, as a running worker already has
    before = peak_rss()
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    result = services.build(args.export_id)
    seconds = time.perf_counter() - start
    report = {
        "result": result,
        "seconds": seconds,
        "rss_before": before,
        "rss_peak": peak_rss(),
        "traced_peak": tracemalloc.get_traced_memory()[1] if args.tracemalloc else None,
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0 if result == "ready" else 1


def run_build(export_id: int, storage: str, media_root: str, traced: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "_build-export", str(export_id), "--storage", storage]
    command += ["--media-root", media_root] + (["--tracemalloc"] if traced else [])
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"the build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def verify(export_id: int, messages: int, media_files: int, media_bytes: int) -> str:
    """Open the stored ZIP and check it: every entry's CRC, the replies, the media."""
    from django.core.files.storage import default_storage

    from exports.archive import open_stream
    from exports.models import DataExport

    export = DataExport.objects.get(pk=export_id)
    with tempfile.TemporaryFile() as copy:
        stored = open_stream(default_storage, export.file.name)
        shutil.copyfileobj(stored, copy, MB)
        stored.close()
        with zipfile.ZipFile(copy) as archive:
            if archive.testzip() is not None:
                return "bad CRC"
            replies = json.loads(archive.read("inbox_messages.json"))["messages"]
            media = [i for i in archive.infolist() if i.filename.startswith("media/")]
            if len(replies) != messages:
                return f"{len(replies)} replies"
            if (len(media), sum(i.file_size for i in media)) != (media_files, media_bytes):
                return "media differ"
    return "ok"


def export_benchmark(args: argparse.Namespace) -> bool:
    import django

    django.setup()
    from django.core.management import call_command

    from exports.models import DataExport
    from publishing.models import Media

    call_command("migrate", verbosity=0)
    media_root = tempfile.mkdtemp(prefix="mixora-bench-media-") if args.storage == "local" else ""
    try:
        use_storage(args.storage, media_root)
        start = time.perf_counter()
        user = create_person(args.messages)
        stored = create_media(user, args.media_mb, args.file_mb)
        files = Media.objects.filter(uploaded_by=user).count()
        took = time.perf_counter() - start
        say(
            f"Generated {args.messages:,} inbox replies and notes and {files} media files "
            f"({stored / MB:,.0f} MiB, {args.storage} storage) in {took:.0f} s."
        )
        rows, ok = [], True
        for label, traced in (("plain", False), ("tracemalloc", True)):
            export = DataExport.objects.create(user=user)
            report = run_build(export.pk, args.storage, media_root, traced)
            export.refresh_from_db()
            check = verify(export.pk, args.messages, files, stored)
            ok = ok and check == "ok"
            rows.append(
                [
                    label,
                    f"{report['seconds']:.1f}",
                    f"{export.size / MB:,.0f}",
                    f"{export.size / MB / report['seconds']:.0f}",
                    f"{report['rss_before'] / MB:.0f}",
                    f"{report['rss_peak'] / MB:.0f}",
                    "—" if report["traced_peak"] is None else f"{report['traced_peak'] / MB:.1f}",
                    check,
                ]
            )
        say()
        table(
            [
                "run",
                "build s",
                "ZIP MiB",
                "MiB/s",
                "RSS before MiB",
                "peak RSS MiB",
                "traced peak MiB",
                "zip",
            ],
            rows,
        )
        return ok
    finally:
        from django.db import connections

        connections.close_all()
        if media_root and not args.keep:
            shutil.rmtree(media_root, ignore_errors=True)
        elif media_root:
            say(f"Files kept in {media_root}")


# --- Purge -----------------------------------------------------------------------------


def _generate_audit_rows(expired: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for age, count in (("400 days", expired), ("1 day", expired // 10)):
            cursor.execute(
                "INSERT INTO privacy_auditevent (action, created_at, details, user_agent) "
                "SELECT 'login.succeeded', now() - %s::interval + (g %% 3600) * interval '1 s', "
                "'{}'::jsonb, '' FROM generate_series(1, %s) AS g",
                [age, count],
            )
        cursor.execute("ANALYZE privacy_auditevent")


def purge_benchmark(args: argparse.Namespace) -> bool:
    import statistics
    import threading

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from audit.models import AuditAction, AuditEvent
    from retention import engine
    from retention.rules import RULES

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    _generate_audit_rows(args.rows)
    say(
        f"Generated {args.rows:,} expired and {args.rows // 10:,} recent log rows "
        f"in {time.perf_counter() - start:.0f} s."
    )
    rule = next(r for r in RULES if r.model == "privacy.AuditEvent")

    waits: list[float] = []
    done = threading.Event()

    def writer() -> None:
        # Another connection writing to the same table the whole time.
        try:
            while not done.is_set():
                begin = time.perf_counter()
                AuditEvent.objects.create(action=AuditAction.LOGIN_SUCCEEDED)
                waits.append(time.perf_counter() - begin)
                time.sleep(0.005)
        finally:
            connections.close_all()

    batches: list[float] = []
    mark = [time.perf_counter()]

    def progress(_rows: int) -> None:
        now = time.perf_counter()
        batches.append(now - mark[0])
        mark[0] = now

    thread = threading.Thread(target=writer)
    thread.start()
    start = mark[0] = time.perf_counter()
    try:
        removed = engine.delete_in_batches(rule, timezone.now(), args.batch, progress)
    finally:
        done.set()
        thread.join()
    took = time.perf_counter() - start
    kept = AuditEvent.objects.count()
    expected_kept = args.rows // 10 + len(waits)
    ok = removed == args.rows and kept == expected_kept

    def ms(values: list[float], q: int) -> str:
        return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.1f}"

    table(
        [
            "rows",
            "batch",
            "s",
            "rows/s",
            "batch p50 ms",
            "p99",
            "max",
            "writes",
            "write p99 ms",
            "max",
            "kept",
        ],
        [
            [
                f"{removed:,}",
                str(args.batch),
                f"{took:.1f}",
                f"{removed / took:,.0f}",
                ms(batches, 50),
                ms(batches, 99),
                f"{max(batches) * 1000:.0f}",
                f"{len(waits):,}",
                ms(waits, 99),
                f"{max(waits) * 1000:.0f}",
                "ok" if ok else f"{kept:,}?",
            ]
        ],
    )
    return ok


COMMANDS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "export": export_benchmark,
    "purge": purge_benchmark,
}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "_build-export":
        return build_in_child(args)
    base_url = loopback(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mixora"))
    redis_url = loopback(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url = with_database(base_url, "postgres")
    # The test settings, on the bench database; the child process inherits all of it.
    use_environment(
        with_database(base_url, args.database),
        redis_url,
        f"mixora-bench-{secrets.token_hex(4)}",
        free_port(),
    )
    moto = MotoS3() if getattr(args, "storage", "") == "s3" else None
    recreate_database(admin_url, args.database)
    try:
        ok = COMMANDS[args.command](args)
    finally:
        if moto:
            stop([moto.process])
        if not args.keep:
            drop_database(admin_url, args.database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
