"""Version 1 of every legal document, written for what Mixora actually does. Shared by the
data migration and by tests that flush the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

TEXTS = Path(__file__).resolve().parent / "texts"

# kind: (title, file under texts/)
DEFAULT_DOCUMENTS = {
    "privacy-policy": ("Privacy policy", "privacy-policy.txt"),
    "cookie-policy": ("Cookie policy", "cookie-policy.txt"),
    "notice-at-collection": ("California notice at collection", "notice-at-collection.txt"),
    "subprocessors": ("Subprocessors", "subprocessors.txt"),
}


def default_body(kind: str, support_email: str) -> str:
    text = (TEXTS / DEFAULT_DOCUMENTS[kind][1]).read_text(encoding="utf-8")
    return text.replace("{{support_email}}", support_email)


def install_defaults(apps: Any, today: date, published_at: Any, support_email: str) -> None:
    """Publish version 1 of each kind that has no version yet."""
    model = apps.get_model("legal", "DocumentVersion")
    for kind, (title, _) in DEFAULT_DOCUMENTS.items():
        if model.objects.filter(kind=kind).exists():
            continue
        model.objects.create(
            kind=kind,
            version=1,
            title=title,
            summary="First version.",
            body=default_body(kind, support_email),
            effective_date=today,
            last_updated=today,
            material=False,
            published_at=published_at,
        )
