"""The exports themselves: listed on the Download my data page rather than in an export, and
deleted (files too) with the account."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import handles, not_exported, person_deleted

from .services import delete_for_user

not_exported("exports.DataExport", "the exports themselves, listed on the Download my data page")
handles("exports.DataExport", ("user", "file"), "deleted at once, files included")


@receiver(person_deleted, dispatch_uid="exports.person_deleted")
def delete_exports(sender: Any, user: User, **kwargs: Any) -> None:
    delete_for_user(user)  # a ready export's file would otherwise wait for its expiry
