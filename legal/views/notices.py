"""The material-change banner's two buttons: "I've read it" (recorded for good) and the
close button (hides it for the rest of this session only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mixora.errors import UserFacingError

from .. import notices
from ..models import DocumentVersion


def _version(pk: int) -> DocumentVersion:
    try:
        return notices.notice_version(pk)
    except UserFacingError as exc:
        raise Http404(str(exc)) from exc


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    notices.acknowledge(request.user, version)
    messages.success(request, f"Thanks. We noted that you read the new {version.title}.")
    return _back(request, version.get_absolute_url())


@login_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    hidden = request.session.get(notices.HIDDEN_SESSION_KEY, [])
    if version.pk not in hidden:
        request.session[notices.HIDDEN_SESSION_KEY] = [*hidden, version.pk]
    return _back(request, "/")
