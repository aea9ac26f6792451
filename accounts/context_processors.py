from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Membership
from .roles import Capability
from .tenancy import LAST_WORKSPACE_SESSION_KEY


def workspace_shell(request: HttpRequest) -> dict[str, Any]:
    """What the app shell needs on every page: the current workspace and the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = SimpleLazyObject(
        lambda: list(
            Membership.objects.filter(user=user)
            .select_related("workspace")
            .order_by("workspace__name")
        )
    )

    def nav_membership() -> Membership | None:
        # Pages outside /w/ (profile, security) keep the navigation of the last workspace.
        membership = getattr(request, "membership", None)
        if membership is not None:
            return membership
        last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
        return next((m for m in memberships if m.workspace.slug == last), None) or next(
            iter(memberships), None
        )

    membership = SimpleLazyObject(nav_membership)
    return {
        "current_membership": membership,
        "current_workspace": SimpleLazyObject(lambda: membership and membership.workspace),
        "shell_memberships": memberships,
        "can": SimpleLazyObject(
            lambda: {c.name: bool(membership) and membership.can(c) for c in Capability}
        ),
    }
