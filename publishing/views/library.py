from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError

from .. import deletion, media
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
    items = request.workspace.media.select_related("uploaded_by").annotate(
        uses=Count("posts", distinct=True)
    )
    return render(
        request,
        "publishing/library.html",
        {"items": items, "errors": errors},
        status=400 if errors else 200,
    )


@workspace_view(Capability.COMPOSE)
@require_http_methods(["GET", "HEAD", "POST"])
def delete_media(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Deleting a library file; one used by posts first shows which posts it leaves and what
    that does to each (the POST then names the posts the person saw)."""
    item = get_object_or_404(Media, pk=pk, workspace=request.workspace)
    if request.method == "POST":
        try:
            seen = [int(v) for v in request.POST.getlist("post") if v.isdigit()]
            done = deletion.delete_media(item, request.membership, seen_posts=seen, request=request)
        except UserFacingError as exc:
            messages.error(request, str(exc))
            return redirect("media_delete", request.workspace.slug, item.pk)
        messages.success(request, done.message)
        return redirect("media_library", request.workspace.slug)
    uses = deletion.media_uses(item, request.membership)
    return render(request, "publishing/delete_media.html", {"item": item, "uses": uses})
