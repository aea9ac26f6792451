"""/_dev/mail/: the emails the local mode sent, newest first, each readable with its links
clickable. Wired only by the local settings (mixora/urls.py), and even then only for staff
or a browser on this machine."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from . import local_mail


def _allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    try:
        return ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _mail_dir(request: HttpRequest) -> Path:
    directory = local_mail.mail_dir()
    if directory is None or not _allowed(request):
        raise Http404("No such page.")
    return directory


@require_safe
def mail_list(request: HttpRequest) -> HttpResponse:
    emails = local_mail.sent_mail(_mail_dir(request))
    return render(request, "dev/mail_list.html", {"emails": emails})


@require_safe
def mail_detail(request: HttpRequest, key: str) -> HttpResponse:
    email = local_mail.find(_mail_dir(request), key)
    if email is None:
        raise Http404("No such email.")
    return render(request, "dev/mail_detail.html", {"email": email})


urlpatterns = [
    path("_dev/mail/", mail_list, name="dev_mail"),
    path("_dev/mail/<str:key>/", mail_detail, name="dev_mail_detail"),
]
