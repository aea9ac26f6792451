"""X's hosts (the emulator's in local mode and tests)."""

from __future__ import annotations

from .. import service_url


def authorize_url() -> str:
    return service_url("https://x.com/i/oauth2/authorize", "/x/i/oauth2/authorize")


def api_url() -> str:
    return service_url("https://api.x.com", "/x-api")
