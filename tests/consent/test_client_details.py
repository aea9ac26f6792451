"""The coarse facts kept about a visitor: network, browser family, device class."""

from __future__ import annotations

import pytest

from consent.client import browser_family, device_class, truncate_ip
from tests.consent.conftest import FIREFOX, IPHONE

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE = CHROME + " Edg/131.0.0.0"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/131.0"
ANDROID_PHONE = ANDROID_TABLET.replace("SM-X710", "Pixel 8") + " Mobile Safari/537.36"


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("10.1.2.255", "10.1.2.0"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("", None),
        ("not-an-ip", None),
        (None, None),
    ],
)
def test_ip_addresses_are_cut_to_their_network(address, kept):
    assert truncate_ip(address) == kept


@pytest.mark.parametrize(
    ("agent", "family"),
    [(FIREFOX, "Firefox"), (CHROME, "Chrome"), (EDGE, "Edge"), (IPHONE, "Safari"), ("", "Other")],
)
def test_browser_family(agent, family):
    assert browser_family(agent) == family


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (IPHONE, "mobile"),
        (ANDROID_PHONE, "mobile"),
        (IPAD, "tablet"),
        (ANDROID_TABLET, "tablet"),
        (CHROME, "desktop"),
        ("", "desktop"),
    ],
)
def test_device_class(agent, device):
    assert device_class(agent) == device
