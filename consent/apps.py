from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Cookie consent and usage analytics"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export sections, deletion receivers)
