from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Connected accounts"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (export sections, deletion receivers)
        from .platforms.registry import packages

        packages()  # each network package registers its own checks and receivers
