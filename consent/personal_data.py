"""Cookie choices and usage analytics: exported for the person; when their account is
deleted, usage events go and consent records lose the link to them and their IP network."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import generic_section, handles, keeps, person_deleted

from .models import ConsentRecord, UsageEvent

generic_section(
    140,
    "consent_records.json",
    "consent.ConsentRecord",
    "The cookie choices you made (which kinds of cookies you accepted or declined, when, "
    "and whether your browser sent Global Privacy Control).",
)
generic_section(
    150,
    "usage_events.json",
    "consent.UsageEvent",
    "Product usage events we recorded about you, only ever with your consent to analytics.",
)

handles(
    "consent.ConsentRecord",
    ("user", "ip_prefix"),
    "unlinked from the account and its IP network erased at once",
)
keeps(
    "consent.ConsentRecord",
    ("user_agent_family",),
    reason="proof of the choices a browser made (a browser family such as 'Chrome' names no one)",
    period="24 months after the choice was replaced",
)
handles("consent.UsageEvent", ("user", "ip_prefix", "name"), "deleted at once")


@receiver(person_deleted, dispatch_uid="consent.person_deleted")
def unlink_consent(sender: Any, user: User, **kwargs: Any) -> None:
    UsageEvent.objects.filter(user=user).delete()
    ConsentRecord.objects.filter(user=user).update(user=None, ip_prefix=None)
