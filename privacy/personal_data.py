"""Privacy requests and the security log: exported for the person; when their account is
deleted, what identifies them is erased and the records themselves are kept as proof."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from accounts.models import User
from accounts.personal_data import DELETED_NAME
from mixora.personal_data import (
    generic_section,
    handles,
    keeps,
    not_exported,
    person_deleted,
)

from .models import PrivacyRequest, PrivacyRequestEvent

generic_section(
    130,
    "privacy_requests.json",
    "privacy.PrivacyRequest",
    "Privacy requests you filed (to see, copy, correct or delete your data, or to "
    "object), with their status and dates.",
)
not_exported(
    "privacy.PrivacyRequestEvent",
    "steps staff took on requests; the requests themselves are in privacy_requests.json",
)

handles(
    "privacy.PrivacyRequest",
    ("email", "name", "details", "completion_note"),
    "the address is replaced by a keyed one-way digest (so we can still show we answered "
    "a request from it), the name and details are erased",
)
keeps(
    "privacy.PrivacyRequest",
    ("user", "entered_by"),
    reason="proof that a request was answered, and when (and which staff member entered "
    "one received by email)",
    period="24 months after it was closed",
)
handles("privacy.PrivacyRequestEvent", ("note",), "the person's address is erased from notes")
keeps(
    "privacy.PrivacyRequestEvent",
    ("actor",),
    reason="which staff member worked a request",
    period="as long as the request (24 months after it was closed)",
)


def erased_address(email: str) -> str:
    """Stands in for a deleted person's address: the same address always gives the same
    value, which cannot be turned back into it."""
    address = email.strip().lower()
    digest = salted_hmac("privacy.erased-address", address, algorithm="sha256").hexdigest()[:24]
    return f"erased-{digest}@deleted.invalid"


def _scrub(field: str, text: str) -> Replace:
    return Replace(field, Value(text), Value(DELETED_NAME))


@receiver(person_deleted, dispatch_uid="privacy.person_deleted")
def erase_from_records(sender: Any, user: User, email: str, **kwargs: Any) -> None:
    theirs = PrivacyRequest.objects.filter(Q(user=user) | Q(email__iexact=email))
    PrivacyRequestEvent.objects.filter(privacy_request__in=theirs).update(
        note=_scrub("note", email)
    )
    theirs.update(
        email=erased_address(email),
        name=DELETED_NAME,
        details="",
        completion_note=_scrub("completion_note", email),
    )
