from __future__ import annotations

from typing import Any

from django import template

from .. import services
from ..models import DataExport

register = template.Library()


@register.inclusion_tag("exports/partials/panel_body.html", takes_context=True)
def export_panel(context: template.Context) -> dict[str, Any]:
    """The "Download my data" panel for the logged-in person, whichever page includes it."""
    request = context["request"]
    export = services.latest_export(request.user)
    ready = export is not None and export.status == DataExport.Status.READY
    # Refreshed by htmx, the panel sends the form back to the page it sits in.
    page = request.htmx.current_url_abs_path if request.htmx else request.get_full_path()
    return {
        "user": request.user,
        "export": export,
        "download_url": services.download_url(export) if ready else "",
        "next": page or "",
    }
