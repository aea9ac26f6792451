"""Meta's hosts: the login dialog and the Graph API (the emulator's in local mode and tests)."""

from __future__ import annotations

from django.conf import settings

from .. import service_url


def dialog_url() -> str:
    v = settings.META_GRAPH_VERSION
    return service_url(f"https://www.facebook.com/{v}/dialog/oauth", f"/facebook/{v}/dialog/oauth")


def graph_url() -> str:
    v = settings.META_GRAPH_VERSION
    return service_url(f"https://graph.facebook.com/{v}", f"/graph/{v}")
