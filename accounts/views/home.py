from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..adapter import PENDING_INVITATION_SESSION_KEY
from ..models import Membership
from ..tenancy import LAST_WORKSPACE_SESSION_KEY


def home(request: HttpRequest) -> HttpResponse:
    """Logged out: the landing page. Logged in: the workspace the person used last."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    token = request.session.get(PENDING_INVITATION_SESSION_KEY)
    if token:
        return redirect("invitation_accept", token)
    slugs = list(
        Membership.objects.filter(user=request.user)
        .order_by("created_at")
        .values_list("workspace__slug", flat=True)
    )
    if not slugs:
        return redirect("onboarding")
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    return redirect("workspace_dashboard", last if last in slugs else slugs[0])
