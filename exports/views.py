"""The person's exports page, the request form's target, and the download link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from storages.backends.s3 import S3Storage

from mixora.errors import UserFacingError

from . import services
from .archive import open_stream
from .models import DataExport

PRESIGNED_SECONDS = 60


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    history = DataExport.objects.filter(user=request.user)[:10]
    return render(request, "exports/list.html", {"history": history})


@login_required
def export_panel(request: HttpRequest) -> HttpResponse:
    """The panel alone: it polls this while an export is being prepared."""
    return render(request, "exports/partials/panel.html")


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "export_list"
    if services.in_progress(request.user) is not None:
        messages.info(request, "Your export is already being prepared.")
        return redirect(back)
    try:
        services.check_daily_limit(request.user)
    except UserFacingError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    services.request_export(request.user)
    messages.success(
        request, f"We're preparing your export and will email {request.user.email} when it's ready."
    )
    return redirect(back)


@never_cache
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: the token alone is enough, but someone logged in as another person
    gets a 404, as if the export did not exist."""
    try:
        export = services.export_from_token(token)
    except services.LinkExpired as exc:
        return render(request, "exports/link_problem.html", {"problem": str(exc)}, status=410)
    except services.LinkInvalid as exc:
        return render(request, "exports/link_problem.html", {"problem": str(exc)}, status=404)
    if request.user.is_authenticated and request.user.pk != export.user_id:
        raise Http404
    services.record_download(export)
    filename = services.download_filename(export)
    if isinstance(default_storage, S3Storage):
        # A one-minute signed URL: the file goes straight from the bucket to the browser and
        # never ties up a web worker for the length of a large download.
        url = default_storage.url(
            export.file.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": "application/zip",
            },
            expire=PRESIGNED_SECONDS,
        )
        return HttpResponseRedirect(url)
    return FileResponse(
        open_stream(default_storage, export.file.name),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )
