from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "Legal documents and notices"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export sections, deletion receivers)
