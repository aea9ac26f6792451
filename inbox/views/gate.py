"""The inbox is a plan feature (mixora.limits.INBOX). Without it the inbox pages show what
the inbox does and the way to upgrade instead, and replies are refused. Events keep arriving
and are stored as always (webhooks and polling don't look at the plan): nothing is lost, and
an upgrade shows every conversation at once. Inbox settings (retention) stay open: how long
customers' messages are kept is a privacy choice, whatever the plan."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora import limits

View = Callable[..., HttpResponse]


def inbox_view(capability: Capability = Capability.VIEW, **options: Any) -> Callable[[View], View]:
    """`workspace_view` for a page of the inbox: the same checks, then the plan's feature."""

    def decorator(view: View) -> View:
        @wraps(view)
        def gated(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            granted = limits.entitlements(request.workspace)
            if limits.INBOX in granted.features:
                return view(request, *args, **kwargs)
            if request.htmx:  # a live refresh of an open page: reload it into the notice
                return HttpResponse(status=204, headers={"HX-Refresh": "true"})
            context = {
                "plan_name": granted.plan_name,
                "upgrade_url": granted.upgrade_url,
                "may_pay": request.membership.can(Capability.MANAGE_BILLING),
            }
            status = 200 if request.method in ("GET", "HEAD") else 403
            return render(request, "inbox/upgrade.html", context, status=status)

        return workspace_view(capability, **options)(gated)

    return decorator
