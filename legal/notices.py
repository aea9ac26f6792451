"""The in-app notice of a material change: shown to each person until they acknowledge it.

For each kind of document only its newest material version counts (a later one supersedes
an earlier one), and only for people who already had an account when it was published:
anyone who signed up later saw the new text when they signed up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from mixora.errors import UserFacingError

from .models import DocumentVersion, PolicyAcknowledgement

if TYPE_CHECKING:
    from accounts.models import User

# Session key: versions hidden for the rest of this session with the banner's close button.
HIDDEN_SESSION_KEY = "legal.hidden_notices"


def _newest_material_of_its_kind() -> Subquery:
    return Subquery(
        DocumentVersion.objects.filter(
            kind=OuterRef("kind"), material=True, published_at__isnull=False
        )
        .order_by("-version")
        .values("pk")[:1]
    )


def pending(user: User, hidden: Iterable[int] = ()) -> QuerySet[DocumentVersion]:
    """Material versions `user` has not acknowledged yet (one query)."""
    return (
        DocumentVersion.objects.filter(
            pk=_newest_material_of_its_kind(), published_at__gt=user.date_joined
        )
        .exclude(pk__in=list(hidden))
        .exclude(Exists(PolicyAcknowledgement.objects.filter(user=user, version=OuterRef("pk"))))
        .order_by("kind")
    )


def notice_version(version_id: int) -> DocumentVersion:
    """A version someone may acknowledge or hide: published and material."""
    version = DocumentVersion.objects.filter(
        pk=version_id, material=True, published_at__isnull=False
    ).first()
    if version is None:
        raise UserFacingError("There is no such policy change to acknowledge.")
    return version


def acknowledge(user: User, version: DocumentVersion) -> PolicyAcknowledgement:
    """Record that `user` read `version`; acknowledging twice keeps the first record (a
    double click racing the first is caught by get_or_create's unique-key retry)."""
    return PolicyAcknowledgement.objects.get_or_create(user=user, version=version)[0]
