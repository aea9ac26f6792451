from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The security and activity log, which every app records into (audit.trail.record)."""

    name = "audit"
    verbose_name = "Security and activity log"

    def ready(self) -> None:
        from . import (
            personal_data,  # noqa: F401  (export section, deletion receiver)
            receivers,  # noqa: F401  (security events from Django and allauth)
        )
