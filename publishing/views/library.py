from __future__ import annotations

from django.contrib import messages
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError

from .. import media
from ..models import Media


@workspace_view(Capability.VIEW, write_capability=Capability.COMPOSE)
def library(request: WorkspaceRequest) -> HttpResponse:
    """The media library; POST uploads files (each checked by its content). Good files are
    kept even when another file in the same upload is refused."""
    errors: list[str] = []
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        if not uploads:
            errors.append("Choose at least one file.")
        for upload in uploads:
            try:
                item = media.ingest(request.workspace, request.user, upload)
            except UserFacingError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"Added {item.name}.")
        if not errors:
            return redirect("media_library", request.workspace.slug)
    items = request.workspace.media.select_related("uploaded_by")
    return render(
        request,
        "publishing/library.html",
        {"items": items, "errors": errors},
        status=400 if errors else 200,
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def delete_media(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Media, pk=pk, workspace=request.workspace)
    try:
        item.delete()
    except ProtectedError:
        messages.error(request, f"{item.name} is used by a post: remove it there first.")
    else:
        item.file.delete(save=False)
        if item.thumbnail:
            item.thumbnail.delete(save=False)
        messages.success(request, f"Deleted {item.name}.")
    return redirect("media_library", request.workspace.slug)
