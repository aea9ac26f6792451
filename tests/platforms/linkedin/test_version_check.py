"""LinkedIn retires an API version about a year after its release; `manage.py check` (and so
the deploy check) warns from ten months on, before every LinkedIn call starts failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core import checks


def _months_ago(months: int) -> str:
    return (datetime.now(UTC) - timedelta(days=31 * months)).strftime("%Y%m")


def _linkedin_warnings() -> list[str]:
    return [m.id for m in checks.run_checks() if m.id and m.id.startswith("linkedin.")]


def test_a_recent_version_passes(settings):
    settings.LINKEDIN_API_VERSION = _months_ago(2)
    assert _linkedin_warnings() == []


def test_a_version_close_to_retirement_warns(settings):
    settings.LINKEDIN_API_VERSION = _months_ago(11)
    assert _linkedin_warnings() == ["linkedin.W002"]


def test_a_malformed_version_warns(settings):
    settings.LINKEDIN_API_VERSION = "latest"
    assert _linkedin_warnings() == ["linkedin.W001"]
