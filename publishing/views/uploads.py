"""One file into the media library from the upload widget (static/js/upload.js): one request
per file so the browser can show each file's progress, answered in JSON."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError

from .. import media

# The markup the page slots the new file into: a picker tile ticked in the composer, a card
# in the library.
TILE_TEMPLATES = {
    "composer": "publishing/partials/media_tile.html",
    "library": "publishing/partials/media_card.html",
}
OWN_TILE_TEMPLATE = "publishing/partials/own_tile.html"


@workspace_view(Capability.COMPOSE)
@require_POST
def upload(request: WorkspaceRequest) -> HttpResponse:
    """Store `file` (checked by `media.ingest`, with the browser's still of a video as
    `frame`); 400 with the reason when it is refused."""
    files = request.FILES.getlist("file")
    template = TILE_TEMPLATES.get(request.POST.get("into", ""))
    if len(files) != 1 or template is None:
        return JsonResponse({"error": "Send one file at a time."}, status=400)
    try:
        item = media.ingest(
            request.workspace, request.user, files[0], frame=request.FILES.get("frame")
        )
    except UserFacingError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    answer = {
        "id": item.pk,
        "name": item.name,
        "kind": item.kind,
        "html": render_to_string(template, {"item": item, "checked": True}, request=request),
    }
    if template == TILE_TEMPLATES["composer"]:
        # Each account's own picker offers the new file too, unticked.
        answer["own_html"] = render_to_string(OWN_TILE_TEMPLATE, {"item": item}, request=request)
    return JsonResponse(answer, status=201)
