from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from . import (
            personal_data,  # noqa: F401  (declarations: metrics hold no person's data)
            receivers,  # noqa: F401  (roll-ups follow deleted posts)
        )
