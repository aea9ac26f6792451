from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # The limits provider, export/deletion answers, and the over-limit grace (its task,
        # and resuming paused accounts after a disconnect).
        from . import entitlements, grace, personal_data  # noqa: F401
