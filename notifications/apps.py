from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export sections, deletion receivers)
