"""In-app notifications: exported for their reader, deleted with their account."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    handles,
    person_deleted,
    values,
)

from .models import Notification


@export_section(100, models=("notifications.Notification",))
def notifications(user: User, files: FileSink) -> Section:
    return Section(
        "notifications.json",
        "The notifications Mixora showed you in the app, and when you read them.",
        {
            "notifications": values(
                Notification.objects.filter(user=user).order_by("created_at", "pk"),
                "message",
                "url",
                "created_at",
                "read_at",
                workspace_name=F("workspace__name"),
            )
        },
    )


handles("notifications.Notification", ("user", "message"), "deleted at once")


@receiver(person_deleted, dispatch_uid="notifications.person_deleted")
def delete_notifications(sender: Any, user: User, **kwargs: Any) -> None:
    Notification.objects.filter(user=user).delete()
