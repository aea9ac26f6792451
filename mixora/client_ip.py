"""The address of the person making a request, for rate limits and the audit trail.

Behind TRUSTED_PROXY_COUNT proxies (a load balancer, nginx) every request's REMOTE_ADDR is the
nearest proxy's, so per-IP limits would become one bucket for everyone and the audit trail
would name the proxy. Each proxy appends the address it saw to X-Forwarded-For; counted from
the right, the entry our outermost proxy added is the client's. Entries further left are the
client's own words and are never trusted. allauth reads the same setting
(ALLAUTH_TRUSTED_PROXY_COUNT), so its rate limits agree."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
