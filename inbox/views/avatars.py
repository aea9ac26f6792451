"""A customer's profile picture, from our storage, to members of the thread's workspace."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.tenancy import WorkspaceRequest

from ..avatars import content_type_of
from ..models import Conversation
from .gate import inbox_view


@inbox_view()
@require_safe
def participant_avatar(request: WorkspaceRequest, pk: int) -> FileResponse:
    conversation = get_object_or_404(
        Conversation.objects.only("participant_avatar"), pk=pk, workspace=request.workspace
    )
    if not conversation.participant_avatar:
        raise Http404("This conversation has no picture.")
    picture = conversation.participant_avatar
    response = FileResponse(picture.open("rb"), content_type=content_type_of(picture.name))
    # The page's URL carries the picture's version, so browsers may keep it; only this
    # person's browser, never a shared cache.
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
