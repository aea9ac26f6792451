"""LinkedIn's hosts (the emulator's in local mode and tests) and the API version Mixora speaks.

Every /rest call names a LinkedIn-Version (YYYYMM); versions are retired about a year after
release (learn.microsoft.com/en-us/linkedin/marketing/versioning): the setting
LINKEDIN_API_VERSION is bumped yearly, and `checks.py` warns before it is retired."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings

from .. import service_url


def api_version() -> str:
    return settings.LINKEDIN_API_VERSION


def authorize_url() -> str:
    return service_url(
        "https://www.linkedin.com/oauth/v2/authorization", "/linkedin/oauth/v2/authorization"
    )


def token_url() -> str:
    return service_url(
        "https://www.linkedin.com/oauth/v2/accessToken", "/linkedin/oauth/v2/accessToken"
    )


def rest_url() -> str:
    return service_url("https://api.linkedin.com/rest", "/linkedin-api/rest")


def key(urn: str) -> str:
    """A URN as a path key: fully URL-encoded under Rest.li protocol 2.0, parentheses and
    commas included (shared/api-guide/concepts/protocol-version)."""
    return quote(urn, safe="")
