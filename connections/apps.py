from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Connected accounts"

    def ready(self) -> None:
        from .platforms.registry import packages

        packages()  # each network package registers its own checks and receivers
