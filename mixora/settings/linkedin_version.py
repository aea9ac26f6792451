"""The LinkedIn API version of a month ago, for the modes that talk to the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def current_linkedin_version() -> str:
    return (datetime.now(UTC) - timedelta(days=31)).strftime("%Y%m")
