"""The platforms Mixora connects to, and the provider (OAuth identity) behind each."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook Page"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"


class Provider(models.TextChoices):
    """Whose log-in grants the access: Meta covers Facebook Pages and Instagram."""

    META = "meta", "Facebook & Instagram"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    GOOGLE = "google", "YouTube"


PROVIDER_OF: dict[str, str] = {
    Platform.FACEBOOK: Provider.META,
    Platform.INSTAGRAM: Provider.META,
    Platform.X: Provider.X,
    Platform.TIKTOK: Provider.TIKTOK,
    Platform.YOUTUBE: Provider.GOOGLE,
}

CREDENTIAL_ENV = {
    Provider.META: ("META_APP_ID", "META_APP_SECRET"),
    Provider.X: ("X_CLIENT_ID", "X_CLIENT_SECRET"),
    Provider.TIKTOK: ("TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET"),
    Provider.GOOGLE: ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
}


def credentials(provider: str) -> tuple[str, str]:
    return settings.PLATFORM_CREDENTIALS.get(provider, ("", ""))


def is_configured(provider: str) -> bool:
    client_id, secret = credentials(provider)
    return bool(client_id and secret)


def _base(real: str, emulated_path: str) -> str:
    """The real host in production; the emulator's matching prefix in local mode and tests."""
    emulator = settings.EMULATOR_URL
    return f"{emulator}{emulated_path}" if emulator else real


def meta_dialog_url() -> str:
    v = settings.META_GRAPH_VERSION
    return _base(f"https://www.facebook.com/{v}/dialog/oauth", f"/facebook/{v}/dialog/oauth")


def meta_graph_url() -> str:
    v = settings.META_GRAPH_VERSION
    return _base(f"https://graph.facebook.com/{v}", f"/graph/{v}")


def x_authorize_url() -> str:
    return _base("https://x.com/i/oauth2/authorize", "/x/i/oauth2/authorize")


def x_api_url() -> str:
    return _base("https://api.x.com", "/x-api")


def tiktok_authorize_url() -> str:
    return _base("https://www.tiktok.com/v2/auth/authorize/", "/tiktok/v2/auth/authorize/")


def tiktok_api_url() -> str:
    return _base("https://open.tiktokapis.com", "/tiktok-api")


def google_authorize_url() -> str:
    return _base("https://accounts.google.com/o/oauth2/v2/auth", "/google/o/oauth2/v2/auth")


def google_token_url() -> str:
    return _base("https://oauth2.googleapis.com/token", "/google/token")


def google_revoke_url() -> str:
    return _base("https://oauth2.googleapis.com/revoke", "/google/revoke")


def youtube_api_url() -> str:
    return _base("https://www.googleapis.com/youtube/v3", "/youtube/v3")


def youtube_upload_url() -> str:
    return _base("https://www.googleapis.com/upload/youtube/v3", "/youtube-upload/v3")
