"""Fixtures for the legal app (shared with tests/browser/test_legal.py): documents,
published versions and the notice banner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

NOTICE_PROCESSOR = "legal.context_processors.legal_notices"


@pytest.fixture
def notices_on(settings: object) -> None:
    """The banner's context processor, whether or not the settings list it yet."""
    engine = settings.TEMPLATES[0]
    processors = engine["OPTIONS"]["context_processors"]
    if NOTICE_PROCESSOR not in processors:
        options = {**engine["OPTIONS"], "context_processors": [*processors, NOTICE_PROCESSOR]}
        settings.TEMPLATES = [{**engine, "OPTIONS": options}]


@pytest.fixture
def defaults(db: None) -> None:
    """Version 1 of every document, as the data migration writes it (a flushed database
    in a transactional test has lost the migration's rows)."""
    from django.apps import apps
    from django.conf import settings

    from legal.defaults import install_defaults

    install_defaults(apps, timezone.localdate(), timezone.now(), settings.SUPPORT_EMAIL)


@pytest.fixture
def make_version(db: None) -> Callable[..., object]:
    """make_version(kind, publish=True, days_ago=0, **fields) -> a version of `kind`.

    Published ones are published through legal.documents.publish, like the admin does;
    `days_ago` moves their effective date back (negative: into the future)."""
    from legal import documents
    from legal.models import DocumentVersion

    def make(
        kind: str = "privacy-policy",
        *,
        publish: bool = True,
        days_ago: int = 0,
        by: object = None,
        **fields: object,
    ) -> DocumentVersion:
        day = timezone.localdate() - timedelta(days=days_ago)
        fields.setdefault("title", "Privacy policy")
        fields.setdefault("body", "## Hello\n\nSome text.")
        if fields.get("material"):
            fields.setdefault("summary", "We now explain retention in a table.")
        version = DocumentVersion.objects.create(
            kind=kind, effective_date=day, last_updated=day, **fields
        )
        if publish:
            documents.publish(version, by=by)
            version.refresh_from_db()
        return version

    return make


@pytest.fixture
def no_documents(db: None) -> None:
    """Start without the migration's version 1 documents, so numbers are predictable."""
    from legal.models import DocumentVersion

    DocumentVersion.objects.all().delete()
