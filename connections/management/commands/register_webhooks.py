"""Point every network's webhooks at this site: a deploy step (and `make run`'s first step
once the server answers). Each network runs its platform's own registration and handshake."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from connections.errors import PlatformError
from connections.platforms.registry import packages


class Command(BaseCommand):
    help = "Register this site's webhook URLs with each platform that sends events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "site", nargs="?", help="This site's public base URL (default: SITE_URL)"
        )

    def handle(self, *args: Any, site: str | None, **options: Any) -> None:
        base = (site or settings.SITE_URL).rstrip("/")
        if base != settings.SITE_URL.rstrip("/"):
            # Accounts connected later subscribe with SITE_URL's webhook (X, LinkedIn).
            self.stderr.write(f"Warning: {base} is not SITE_URL ({settings.SITE_URL}).")
        failed = []
        for package in packages():
            for source in package.WEBHOOKS:
                url = base + reverse("webhook", args=[source.name])
                try:
                    self.stdout.write(source.register(url))
                except PlatformError as exc:
                    failed.append(f"{source.name}: {exc.message}")
        if failed:
            raise CommandError("Not registered: " + "; ".join(failed))
