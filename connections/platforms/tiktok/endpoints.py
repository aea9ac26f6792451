"""TikTok's hosts (the emulator's in local mode and tests)."""

from __future__ import annotations

from .. import service_url


def authorize_url() -> str:
    return service_url("https://www.tiktok.com/v2/auth/authorize/", "/tiktok/v2/auth/authorize/")


def api_url() -> str:
    return service_url("https://open.tiktokapis.com", "/tiktok-api")
