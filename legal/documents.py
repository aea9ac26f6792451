"""Reading and publishing legal document versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from mixora.errors import UserFacingError

from . import placeholders, render, tasks
from .models import DocumentVersion

if TYPE_CHECKING:
    from accounts.models import User


def published(kind: str) -> QuerySet[DocumentVersion]:
    """Every published version of `kind`, newest first."""
    return DocumentVersion.objects.filter(kind=kind, published_at__isnull=False).order_by(
        "-version"
    )


def current(kind: str, today: date | None = None) -> DocumentVersion | None:
    """The version in force: the newest published one whose effective date has come."""
    today = today or timezone.localdate()
    return published(kind).filter(effective_date__lte=today).first()


def upcoming(kind: str, today: date | None = None) -> DocumentVersion | None:
    """A published version that takes effect later, if there is one."""
    today = today or timezone.localdate()
    return published(kind).filter(effective_date__gt=today).last()


def publish(draft: DocumentVersion, by: User | None, now: datetime | None = None) -> int:
    """Publish a draft: it gets the next number of its kind and never changes again.

    Returns the new version number. A material version is announced by email once the
    transaction commits."""
    if draft.published_at is not None:
        raise UserFacingError(f"{draft} is already published.")
    if draft.material and not draft.summary.strip():
        raise UserFacingError("A material change needs a summary of what changed.")
    if found := placeholders.find(f"{draft.title}\n{draft.summary}\n{draft.body}"):
        shown = ", ".join(f"“{text}”" for text in dict.fromkeys(found))
        raise UserFacingError(
            f"{draft} still has placeholder text: {shown}. Replace it before publishing."
        )
    with transaction.atomic():
        # Lock the kind's versions so two publishers cannot take the same number.
        list(DocumentVersion.objects.select_for_update().filter(kind=draft.kind).values("pk"))
        latest = published(draft.kind).first()
        if latest is not None and draft.effective_date < latest.effective_date:
            raise UserFacingError(
                f"{draft.get_kind_display()} v{latest.version} takes effect on "
                f"{latest.effective_date:%d %B %Y}; a newer version cannot take effect before it."
            )
        number = (published(draft.kind).aggregate(n=Max("version"))["n"] or 0) + 1
        changed = DocumentVersion.objects.filter(pk=draft.pk, published_at__isnull=True).update(
            version=number,
            published_at=now or timezone.now(),
            published_by=by,
            tables=render.snapshot(draft.body),
        )
        if not changed:
            raise UserFacingError(f"{draft} is already published.")
        if draft.material:
            version_id = draft.pk
            transaction.on_commit(lambda: tasks.announce_material_change.delay(version_id))
    draft.refresh_from_db()
    return number


def new_draft_from(version: DocumentVersion, by: User | None) -> DocumentVersion:
    """A draft that starts as a copy of `version`, for the next revision."""
    today = timezone.localdate()
    return DocumentVersion.objects.create(
        kind=version.kind,
        title=version.title,
        body=version.body,
        effective_date=today,
        last_updated=today,
        created_by=by,
    )
