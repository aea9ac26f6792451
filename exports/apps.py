from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Personal data exports"

    def ready(self) -> None:
        from . import (
            personal_data,  # noqa: F401  (export sections, deletion receivers)
            receivers,  # noqa: F401 - connects the file clean-up
        )
