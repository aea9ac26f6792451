from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = "AI drafts"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export section, declarations)
