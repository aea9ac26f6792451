"""A deploy-time warning before LinkedIn retires the API version Mixora speaks (versions live
about a year: learn.microsoft.com/en-us/linkedin/marketing/versioning)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

WARN_AFTER_MONTHS = 10


def _months(version: str) -> int:
    return int(version[:4]) * 12 + int(version[4:6])


@register()
def linkedin_version_check(**kwargs: Any) -> list[CheckMessage]:
    version = settings.LINKEDIN_API_VERSION
    if not (len(version) >= 6 and version[:6].isdigit()):
        return [Warning(f"LINKEDIN_API_VERSION {version!r} is not YYYYMM.", id="linkedin.W001")]
    age = _months(datetime.now(UTC).strftime("%Y%m")) - _months(version)
    if age < WARN_AFTER_MONTHS:
        return []
    return [
        Warning(
            f"LinkedIn API version {version} is {age} months old; LinkedIn retires versions "
            "after about a year (then every LinkedIn call fails with 426).",
            hint="Test Mixora against a newer version and set LINKEDIN_API_VERSION.",
            id="linkedin.W002",
        )
    ]
