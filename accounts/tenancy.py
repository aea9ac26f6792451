"""The one way a view under /w/<slug>/ gets its workspace.

`workspace_view` resolves the slug, requires a logged-in member (anyone else gets 404, so
a workspace's existence is never confirmed to outsiders), checks the member's role for the
capability the view needs (403 when it lacks it) and sets `request.workspace` and
`request.membership`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from .models import Membership
from .roles import Capability

if TYPE_CHECKING:
    from .models import User, Workspace

LAST_WORKSPACE_SESSION_KEY = "mixora.last_workspace"


class WorkspaceRequest(HttpRequest):
    user: User
    workspace: Workspace
    membership: Membership


def workspace_view(
    capability: Capability = Capability.VIEW,
    *,
    write_capability: Capability | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """`capability` guards every request; `write_capability`, when given, guards unsafe
    methods (POST, PUT, PATCH, DELETE) of a page that anyone with `capability` may read."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = (
                Membership.objects.select_related("workspace")
                .filter(workspace__slug=slug, user=request.user)
                .first()
            )
            if membership is None:
                raise Http404("No such workspace.")
            needed = capability
            if write_capability and request.method not in ("GET", "HEAD", "OPTIONS"):
                needed = write_capability
            if not membership.can(needed):
                raise PermissionDenied("Your role in this workspace does not allow this.")
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            if request.session.get(LAST_WORKSPACE_SESSION_KEY) != slug:
                request.session[LAST_WORKSPACE_SESSION_KEY] = slug
            # Dates in templates show in the workspace's time zone, not the server's.
            with timezone.override(ZoneInfo(membership.workspace.timezone)):
                return view(request, *args, **kwargs)

        wrapped.workspace_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator
