"""The public legal pages: each document's version in force, its history and every older
version, readable by anyone."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import documents, notices
from ..models import DocumentKind, DocumentVersion
from ..render import render as render_body
from ..render import render_frozen


def _kind(kind: str) -> DocumentKind:
    if kind not in DocumentKind.values:
        raise Http404("No such document.")
    return DocumentKind(kind)


def _needs_acknowledgement(request: HttpRequest, version: DocumentVersion) -> bool:
    if not request.user.is_authenticated:
        return False
    return notices.pending(request.user).filter(pk=version.pk).exists()


def _page(request: HttpRequest, version: DocumentVersion) -> HttpResponse:
    today = timezone.localdate()
    current = documents.current(version.kind, today)
    newer = (
        documents.published(version.kind)
        .filter(version__gt=version.version)
        .order_by("version")
        .first()
    )
    replaced = newer is not None and newer.effective_date <= today
    context = {
        "version": version,
        # A replaced version shows the tables of its time; the others, today's.
        "rendered": render_frozen(version.body, version.tables)
        if replaced
        else render_body(version.body),
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "is_upcoming": version.effective_date > today,
        "replaced_by": newer if replaced else None,
        "upcoming": documents.upcoming(version.kind, today) if current == version else None,
        "kinds": DocumentKind.choices,
        "needs_acknowledgement": _needs_acknowledgement(request, version),
    }
    return render(request, "legal/document.html", context)


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    entries = [(kind, documents.current(kind, today)) for kind in DocumentKind]
    return render(request, "legal/index.html", {"entries": entries})


def document(request: HttpRequest, kind: str) -> HttpResponse:
    version = documents.current(_kind(kind))
    if version is None:
        raise Http404("This document has not been published yet.")
    return _page(request, version)


def version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    found = documents.published(_kind(kind)).filter(version=number).first()
    if found is None:
        raise Http404("There is no such version.")
    return _page(request, found)


def versions(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    history = list(documents.published(kind))
    if not history:
        raise Http404("This document has not been published yet.")
    current = documents.current(kind)
    return render(
        request,
        "legal/versions.html",
        {"kind": kind, "history": history, "current": current, "kinds": DocumentKind.choices},
    )
