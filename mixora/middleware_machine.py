"""Requests from machines, not people: the platforms' webhook deliveries.

They carry no session, log-in or consent cookie, are answered with plain text, and arrive a
thousand a second at peak, so everything the middleware below this one does for a person's
page (session, CSRF, authentication, messages, allauth, htmx, consent, page views) is work for
nothing. Paths under settings.MACHINE_PATH_PREFIXES go straight to their view. Place it after
RequestSizeLimitMiddleware (the size limit still applies) and SecurityMiddleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import resolve


class MachineEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "MACHINE_PATH_PREFIXES", ()))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.prefixes or not request.path_info.startswith(self.prefixes):
            return self.get_response(request)
        # A path no view answers raises Resolver404: Django's handler turns it into a 404.
        match = resolve(request.path_info)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        # As CommonMiddleware would: lets the server keep the connection open.
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
