from django.core.management.base import BaseCommand

from connections.models import ConnectedAccount

TOKEN_FIELDS = ["access_token", "refresh_token", "provider_user_token"]


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored platform token under the newest key in TOKEN_ENCRYPTION_KEYS. "
        "Put the new key first, run this, then remove the old key."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        # Reading decrypts with whichever key made the value; saving encrypts with the first.
        for account in ConnectedAccount.objects.only("pk", *TOKEN_FIELDS).iterator(chunk_size=500):
            account.save(update_fields=TOKEN_FIELDS)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the tokens of {count} accounts."))
