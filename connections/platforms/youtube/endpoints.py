"""Google's OAuth hosts and the YouTube Data API (the emulator's in local mode and tests)."""

from __future__ import annotations

from .. import service_url


def authorize_url() -> str:
    return service_url("https://accounts.google.com/o/oauth2/v2/auth", "/google/o/oauth2/v2/auth")


def token_url() -> str:
    return service_url("https://oauth2.googleapis.com/token", "/google/token")


def revoke_url() -> str:
    return service_url("https://oauth2.googleapis.com/revoke", "/google/revoke")


def api_url() -> str:
    return service_url("https://www.googleapis.com/youtube/v3", "/youtube/v3")


def upload_url() -> str:
    return service_url("https://www.googleapis.com/upload/youtube/v3", "/youtube-upload/v3")
