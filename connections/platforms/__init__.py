"""The platforms Mixora connects to, and the provider (OAuth identity) behind each.

These are the names only (they are stored in the database); everything else Mixora knows
about a network lives in its package beside this file (`meta/`, `x/`, `tiktok/`,
`youtube/`, `linkedin/`), reached through `registry`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook Page"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn Page"


class Provider(models.TextChoices):
    """Whose log-in grants the access: Meta covers Facebook Pages and Instagram."""

    META = "meta", "Facebook & Instagram"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    GOOGLE = "google", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"


PROVIDER_OF: dict[str, str] = {
    Platform.FACEBOOK: Provider.META,
    Platform.INSTAGRAM: Provider.META,
    Platform.X: Provider.X,
    Platform.TIKTOK: Provider.TIKTOK,
    Platform.YOUTUBE: Provider.GOOGLE,
    Platform.LINKEDIN: Provider.LINKEDIN,
}


def credentials(provider: str) -> tuple[str, str]:
    return settings.PLATFORM_CREDENTIALS.get(provider, ("", ""))


def is_configured(provider: str) -> bool:
    client_id, secret = credentials(provider)
    return bool(client_id and secret)


def service_url(real: str, emulated_path: str) -> str:
    """The real host in production; the emulator's matching prefix in local mode and tests."""
    emulator = settings.EMULATOR_URL
    return f"{emulator}{emulated_path}" if emulator else real
