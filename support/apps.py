from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export sections, deletion receivers)
