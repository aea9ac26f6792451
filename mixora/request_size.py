"""Requests larger than any upload Mixora takes are refused from their Content-Length, before
a byte of the body is read (Django would otherwise stream a multi-gigabyte upload to disk and
only then let the form say it is too big)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            context = {"limit": filesizeformat(limit)}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
