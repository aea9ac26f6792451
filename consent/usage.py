"""First-party usage analytics: page views and features used, only with analytics consent
and never under Global Privacy Control. Each event is one INSERT and holds no path, query
string, content or full IP address."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponseBase

from .client import device_class, referrer_host, request_ip_prefix
from .models import UsageEvent
from .state import consent_allows

FEATURE_NAME = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,99}")


def record_feature(request: HttpRequest, name: str) -> UsageEvent | None:
    """Count one use of a feature (e.g. "compose.preview") if the visitor allows analytics.
    For other apps to call; `name` is a fixed string from code, never user input."""
    if not FEATURE_NAME.fullmatch(name):
        raise ValueError(f"feature names are short lowercase identifiers, not {name!r}")
    return _record(request, UsageEvent.Kind.FEATURE, name, referrer="")


def record_page_view(request: HttpRequest, response: HttpResponseBase) -> UsageEvent | None:
    """Count a successfully served HTML page by its URL name (no ids, no query string)."""
    match = request.resolver_match
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.streaming
        or not response.get("Content-Type", "").startswith("text/html")
        or request.headers.get("HX-Request")  # an htmx fragment, not a page
        or match is None
        or "admin" in match.namespaces  # support staff's tools are not product usage
    ):
        return None
    return _record(
        request, UsageEvent.Kind.PAGE_VIEW, match.view_name, referrer=referrer_host(request)
    )


def _record(request: HttpRequest, kind: str, name: str, *, referrer: str) -> UsageEvent | None:
    if not consent_allows(request, "analytics"):
        return None
    user = getattr(request, "user", None)
    return UsageEvent.objects.create(
        kind=kind,
        name=name[:100],
        referrer_host=referrer,
        device=device_class(request.headers.get("User-Agent", "")),
        ip_prefix=request_ip_prefix(request),
        user=user if user is not None and user.is_authenticated else None,
        workspace=getattr(request, "workspace", None),
    )
