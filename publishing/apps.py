from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from . import (
            personal_data,  # noqa: F401  (export sections, deletion receivers)
            receivers,  # noqa: F401  (releases held targets on reconnect)
        )
