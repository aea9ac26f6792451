"""`manage.py run_retention`: the daily retention job, run by hand as of any moment. With
--as-of a date in the future it acts as if that time had come (for operators checking what
a date will remove, and for tests: "31 days later the deleted account is gone")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from retention import engine
from retention.rules import Rule

AS_OF_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M")


def parse_as_of(value: str) -> datetime:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM, in the site's time zone (UTC)."""
    for pattern in AS_OF_FORMATS:
        try:
            moment = datetime.strptime(value, pattern)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return timezone.make_aware(moment)
    raise CommandError(
        f"--as-of takes a date like 2026-07-31 or a time like 2026-07-31T09:30 "
        f"({timezone.get_current_timezone_name()}), not {value!r}. Nothing was changed."
    )


class Command(BaseCommand):
    help = (
        "Apply the retention table (retention/rules.py) as of a given moment (default: now), "
        "including the purge of deleted accounts and workspaces whose grace period is over. "
        "--dry-run only counts what each rule would remove."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD[THH:MM]",
            help="Run as if it were this moment (site time zone); default now.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many rows each rule would remove; change nothing.",
        )
        parser.add_argument(
            "--rule",
            action="append",
            metavar="NAME",
            help="Only this rule (by its key; repeat for several). Default: every daily rule.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_as_of(options["as_of"]) if options["as_of"] else timezone.now()
        try:
            rules = engine.select(options["rule"])
        except ValueError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        keys = [rule.key for rule in rules]
        width = max(len(key) for key in keys)
        when = timezone.localtime(now).strftime("%Y-%m-%d %H:%M %Z")

        if options["dry_run"]:
            self.stdout.write(f"Dry run as of {when}: nothing is changed.")
            counts = engine.dry_run(now, keys)
            for rule in rules:
                self.stdout.write(self._line(rule, width, f"{counts[rule.key]:,} would go"))
            self.stdout.write(f"In all {sum(counts.values()):,} would go.")
            return

        self.stdout.write(f"Applying retention as of {when}.")

        def report(rule: Rule, outcome: int | Exception) -> None:
            if isinstance(outcome, Exception):
                self.stderr.write(self._line(rule, width, f"FAILED: {outcome}"))
            else:
                self.stdout.write(self._line(rule, width, f"{outcome:,} removed"))

        try:
            removed = engine.run(now, keys, on_rule=report)
        except Exception as exc:
            raise CommandError(
                f"A retention rule failed ({type(exc).__name__}: {exc}); the others ran."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"In all {sum(removed.values()):,} removed."))

    @staticmethod
    def _line(rule: Rule, width: int, outcome: str) -> str:
        return f"  {rule.key:<{width}}  {outcome:<16}  {rule.name}"
