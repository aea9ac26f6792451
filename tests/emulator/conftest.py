"""Fixtures of the emulator's publishing tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.publishing import MediaServer, media_server


@pytest.fixture(scope="session")
def media() -> Iterator[MediaServer]:
    """A loopback HTTP server the emulator downloads image_url / file_url / video_url from."""
    with media_server() as server:
        yield server
