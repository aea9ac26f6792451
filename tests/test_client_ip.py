"""Behind a proxy every request comes from the proxy: the client's address is the entry the
outermost trusted proxy added to X-Forwarded-For, never one the client wrote itself. Rate
limits and the audit trail both use it."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from mixora.client_ip import client_ip
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"


def _request(forwarded: str | None = None, remote: str = PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_connection_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.9", remote="198.51.100.4")) == "198.51.100.4"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own claim is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "203.0.113.9", PROXY),  # fewer hops than proxies: not through all of them
        (1, "", PROXY),
        (1, "not-an-ip", None),
    ],
)
def test_behind_proxies_the_outermost_proxys_entry_is_the_client(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded)) == expected


@pytest.mark.django_db
def test_two_people_behind_one_proxy_do_not_share_a_rate_limit(settings):
    from privacy.views import REQUESTS_PER_HOUR_PER_IP
    from tests.privacy.conftest import NEW_URL, form_data

    settings.TRUSTED_PROXY_COUNT = 1
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    for n in range(REQUESTS_PER_HOUR_PER_IP):
        assert first.post(NEW_URL, form_data(email=f"p{n}@example.test")).status_code == 302
    assert first.post(NEW_URL, form_data(email="again@example.test")).status_code == 429

    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert second.post(NEW_URL, form_data(email="other@example.test")).status_code == 302


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")

    browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED).latest("pk")
    assert event.ip_address == "203.0.113.5"
