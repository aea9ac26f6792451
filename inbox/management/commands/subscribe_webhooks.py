"""Local mode: point the emulator's Meta and X webhooks at this site (`make run` does it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inbox.demo import subscribe_webhooks
from mixora.errors import UserFacingError


class Command(BaseCommand):
    help = "Subscribe this site's webhook URLs at the platform emulator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", help="This site's base URL, e.g. http://127.0.0.1:8000")

    def handle(self, *args: Any, site: str, **options: Any) -> None:
        if not settings.EMULATOR_URL:
            raise CommandError("Only with the platform emulator (EMULATOR_URL).")
        try:
            subscribe_webhooks(site)
        except UserFacingError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Emulator webhooks now deliver to {site}.")
