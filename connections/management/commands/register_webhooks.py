"""Point every network's webhooks at this site: a deploy step (and `make run`'s first step
once the server answers). Each network runs its platform's own registration and handshake."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from connections.errors import PlatformError
from connections.platforms.registry import packages


class Command(BaseCommand):
    help = "Register this site's webhook URLs with each platform that sends events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", help="This site's public base URL, e.g. https://mixora.app")

    def handle(self, *args: Any, site: str, **options: Any) -> None:
        base = site.rstrip("/")
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
