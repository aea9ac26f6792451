"""Coarse facts about the visitor's browser. Each keeps only what the aggregate needs."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.http import HttpRequest

from mixora.client_ip import client_ip

MOBILE, TABLET, DESKTOP = "mobile", "tablet", "desktop"

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("edg/", "Edge"),
    ("opr/", "Opera"),
    ("samsungbrowser/", "Samsung Internet"),
    ("firefox/", "Firefox"),
    ("fxios/", "Firefox"),
    ("crios/", "Chrome"),
    ("chrome/", "Chrome"),
    ("chromium/", "Chrome"),
    ("safari/", "Safari"),
)


def truncate_ip(value: str | None) -> str | None:
    """The network, not the host: IPv4 to its /24, IPv6 to its /48."""
    try:
        address = ipaddress.ip_address(value or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def request_ip_prefix(request: HttpRequest) -> str | None:
    return truncate_ip(client_ip(request))


def browser_family(user_agent: str) -> str:
    agent = user_agent.lower()
    return next((name for marker, name in _BROWSERS if marker in agent), "Other")


def device_class(user_agent: str) -> str:
    agent = user_agent.lower()
    if "ipad" in agent or "tablet" in agent or ("android" in agent and "mobile" not in agent):
        return TABLET
    if "mobi" in agent or "iphone" in agent or "android" in agent:
        return MOBILE
    return DESKTOP


def referrer_host(request: HttpRequest) -> str:
    """Where the visitor came from, as a host name; empty for our own pages and none."""
    host = (urlsplit(request.headers.get("Referer", "")).hostname or "")[:255]
    return "" if host == urlsplit(f"//{request.get_host()}").hostname else host
