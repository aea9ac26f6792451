"""The composer's AI buttons: each streams one draft (text/event-stream) to the suggestion
panel, and the page puts it into a field only when the person presses "Use this"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from accounts.roles import Capability, role_can
from accounts.tenancy import WorkspaceRequest, workspace_view
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for

from . import drafts, provenance
from .models import AIGeneration
from .sse import event_stream

INPUT_LIMIT = 5000  # characters of a brief or draft sent to the provider


def _input(request: WorkspaceRequest, name: str) -> str:
    return request.POST.get(name, "").strip()[:INPUT_LIMIT]


def _missing(what: str) -> HttpResponse:
    return event_stream([("error", {"message": f"Write {what} first."})])


@workspace_view(Capability.COMPOSE)
@require_POST
def caption(request: WorkspaceRequest) -> HttpResponse:
    brief = _input(request, "brief")
    if not brief:
        return _missing("a short brief (what the post is about)")
    return event_stream(
        drafts.generate(request.workspace, request.user, "caption", {"brief": brief})
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def rewrite(request: WorkspaceRequest) -> HttpResponse:
    draft = _input(request, "text")
    account = get_object_or_404(
        ConnectedAccount, pk=request.POST.get("account", ""), workspace=request.workspace
    )
    if not draft:
        return _missing("the post's text")
    network = network_for(account)
    limit = network.check("", [], {}).limit or None
    return event_stream(
        drafts.generate(
            request.workspace,
            request.user,
            "rewrite",
            {"draft": draft},
            network=account.platform,
            network_label=account.get_platform_display(),
            limit=limit,
            check=provenance.text_problems(network),
        )
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def hashtags(request: WorkspaceRequest) -> HttpResponse:
    draft = _input(request, "text")
    if not draft:
        return _missing("the post's text")
    return event_stream(
        drafts.generate(request.workspace, request.user, "hashtags", {"draft": draft})
    )


@workspace_view(Capability.VIEW)
@require_POST
def discard(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The person dismissed a suggestion without using it (a composer's or the inbox's: whoever
    may ask for either)."""
    role = request.membership.role
    if not (role_can(role, Capability.COMPOSE) or role_can(role, Capability.INBOX_REPLY)):
        raise PermissionDenied("Your role in this workspace does not allow this.")
    generation = get_object_or_404(
        AIGeneration, pk=pk, workspace=request.workspace, user=request.user
    )
    provenance.discard(generation)
    return JsonResponse({"status": generation.status})
