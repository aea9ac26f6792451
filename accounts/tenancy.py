"""The one way a view under /w/<slug>/ gets its workspace.

`workspace_view` resolves the slug, requires a logged-in member (anyone else gets 404, so
a workspace's existence is never confirmed to outsiders), checks the member's role for the
capability the view needs (403 when it lacks it) and sets `request.workspace` and
`request.membership`.

A read-only workspace (mixora.limits: a payment failed past its grace period) refuses every
state-changing request here, once for all views, except the ones in READ_ONLY_ALLOWED:
people must always be able to pay, leave, remove and exercise their rights.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mixora import limits

from .models import Membership
from .roles import Capability

if TYPE_CHECKING:
    from .models import User, Workspace

LAST_WORKSPACE_SESSION_KEY = "mixora.last_workspace"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# URL names a read-only workspace still accepts POSTs to: paying (the whole billing app),
# leaving and removing people (and transferring ownership, which the last owner needs to
# leave), deleting things (a person's right to erase what they made, and it frees room), and
# the composer's live check, which changes nothing.
READ_ONLY_ALLOWED_NAMESPACES = frozenset({"billing"})
READ_ONLY_ALLOWED = frozenset(
    {
        "workspace_leave",
        "member_remove",
        "member_transfer",
        "invitation_revoke",
        "workspace_delete",
        "connections_disconnect",
        "post_delete",
        "media_delete",
        "inbox_delete",
        "post_check",
    }
)


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
                if request.method not in SAFE_METHODS and not _allowed_when_read_only(request):
                    granted = limits.entitlements(membership.workspace)
                    if granted.read_only:
                        return _read_only(request, membership, granted)
                return view(request, *args, **kwargs)

        wrapped.workspace_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _allowed_when_read_only(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    return match.url_name in READ_ONLY_ALLOWED or bool(
        READ_ONLY_ALLOWED_NAMESPACES.intersection(match.namespaces)
    )


def _read_only(
    request: HttpRequest, membership: Membership, granted: limits.Entitlements
) -> HttpResponse:
    """The refusal, with the reason and the way out; nothing was changed."""
    context = {
        "reason": granted.read_only,
        "billing_url": granted.upgrade_url,
        "may_pay": membership.can(Capability.MANAGE_BILLING),
    }
    return render(request, "accounts/read_only.html", context, status=403)
