from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed the Demo Co workspace and its users (local mode only; idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        seeded = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo workspace “Demo Co” is ready. Log in as:"))
        for email, role in seeded:
            self.stdout.write(f"  {email:<22} {role}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")
        self.stdout.write(
            "Demo Co starts on the Free plan (2 social accounts, no inbox): upgrade under Billing "
            "with the emulator's test card 4242 4242 4242 4242 (any future date, any CVC)."
        )
