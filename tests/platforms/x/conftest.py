"""X accounts subscribe with this site's webhook URL (SITE_URL + /webhooks/x/): in tests the
site is the live server, where the webhook is registered."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _site_is_the_live_server(request, settings) -> None:
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url
