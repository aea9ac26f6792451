"""Per-page additions to the Content-Security-Policy in SECURE_CSP (mixora/settings/csp.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def form_targets(
    origins: Callable[[], Iterable[str]],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For a page whose forms are answered by a redirect to another site (a platform's sign-in
    page): browsers check the page's form-action on every redirect of a form submission, so
    the page allows those `origins` as well as its own."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            policy = dict(settings.SECURE_CSP)
            policy["form-action"] = [*policy.get("form-action", []), *origins()]
            # ContentSecurityPolicyMiddleware uses a response's own config instead of the
            # setting (what django.views.decorators.csp.csp_override sets).
            response._csp_config = policy  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator
