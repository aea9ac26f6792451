"""An export's file goes with its row, however the row goes (expiry, account deletion's
cascade, an admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import DataExport


@receiver(post_delete, sender=DataExport, dispatch_uid="exports.delete_file")
def delete_file(sender: type[DataExport], instance: DataExport, **kwargs: Any) -> None:
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
