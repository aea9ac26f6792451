"""AI drafts nobody used go 30 days after they were made (retention rule "ai-drafts-unused").

Used ones live as long as what they went into: the post's or conversation's deletion removes
them (`provenance.forget`), the workspace's deletion too. Unused means never put in a post or
reply (still a draft with no field it is in) or discarded (taken out again, or dismissed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from .models import AIGeneration

UNUSED_KEEP_DAYS = 30
Status = AIGeneration.Status
# A draft whose text sits in a post's or reply's field has `used_in` set (provenance.settle).
UNUSED = Q(status=Status.DISCARDED) | Q(status=Status.DRAFT, used_in="")


def _due(now: datetime) -> QuerySet[AIGeneration]:
    return AIGeneration.objects.filter(
        UNUSED, created_at__lt=now - timedelta(days=UNUSED_KEEP_DAYS)
    )


def count_unused_due(now: datetime) -> int:
    return _due(now).count()


def delete_unused_due(now: datetime) -> int:
    """Delete them, RETENTION_BATCH at a time, one short transaction each; how many went. Each
    batch checks again, so a draft used meanwhile stays."""
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                _due(now).order_by().values_list("pk", flat=True)[: settings.RETENTION_BATCH]
            )
            if not ids:
                return removed
            removed += _due(now).filter(pk__in=ids).delete()[0]
