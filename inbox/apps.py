from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from . import (
            avatars,  # noqa: F401  (a deleted thread's picture goes with it)
            personal_data,  # noqa: F401  (export sections, deletion receivers)
            receivers,  # noqa: F401
        )
