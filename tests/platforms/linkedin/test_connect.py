"""Connecting LinkedIn organisation pages through Mixora: consent at the emulator, the pages
the member administers offered on the choose page, the chosen ones stored."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from connections import services
from connections.models import ConnectedAccount
from tests.emulator import consent as consent_as

from .conftest import ORG

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_choose_page_offers_every_page_the_member_administers(client, start_connect):
    back = start_connect()
    page = client.get(back["Location"])
    assert page.status_code == 200
    options = [(o["key"], o["profile"].display_name) for o in page.context["options"]]
    assert options == [("linkedin:90000001", "Demo Co"), ("linkedin:90000002", "Demo Co Careers")]


def test_the_chosen_page_is_stored_with_its_token_and_scopes(connect_page, workspace, emulator):
    (account,) = connect_page()
    assert (account.platform, account.external_id, account.display_name, account.handle) == (
        "linkedin",
        ORG,
        "Demo Co",
        "democo",
    )
    assert account.status == ConnectedAccount.Status.ACTIVE
    assert account.access_token.startswith("AQV")
    assert account.refresh_token == ""
    assert set(account.scopes) == {
        "r_organization_social",
        "w_organization_social",
        "rw_organization_admin",
    }
    assert account.provider_user_id == "urn:li:person:emuMember001"
    lifetime = account.token_expires_at - timezone.now()
    assert timedelta(days=59) < lifetime <= timedelta(days=60)
    assert workspace.connected_accounts.count() == 1
    # Every /rest call named the API version and Rest.li protocol 2.0.
    for call in emulator.requests("linkedin", "linkedin.organization_acls"):
        assert call["headers"]["linkedin-version"] == "202611"
        assert call["headers"]["x-restli-protocol-version"] == "2.0.0"


def test_denied_consent_stores_nothing_and_says_so(start_connect, workspace):
    response = start_connect(allow=False)
    assert response.status_code == 302
    assert not workspace.connected_accounts.exists()
    assert any("was not connected" in m for m in messages_of(response))


def test_without_the_admin_scope_nothing_is_connected(start_connect, workspace):
    response = start_connect(drop_scopes=("rw_organization_admin",))
    assert response.status_code == 302
    assert not workspace.connected_accounts.exists()
    assert any("was not connected" in m for m in messages_of(response))


def test_a_member_without_pages_connects_nothing(client, owner, workspace, emulator):
    lone = emulator.control("POST", "users", {"platform": "linkedin", "name": "Lone Member"})
    client.force_login(owner.user)
    start = urlsplit(
        client.post(reverse("connections_connect", args=["acme", "linkedin"]))["Location"]
    )
    authorize = f"{start.scheme}://{start.netloc}{start.path}"
    back = consent_as(authorize, dict(parse_qsl(start.query)), user=lone["id"])
    response = client.get(
        reverse("connections_callback", args=["linkedin"]),
        {"code": back["code"], "state": back["state"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("connections", args=["acme"])
    assert not workspace.connected_accounts.exists()


def test_a_token_endpoint_outage_stores_nothing(start_connect, workspace, emulator):
    emulator.fail_next("linkedin", "linkedin.token", "server")
    response = start_connect()
    assert not workspace.connected_accounts.exists()
    assert any("was not connected" in m for m in messages_of(response))


def test_an_expired_token_asks_for_a_reconnect(page, emulator):
    assert services.check(page) is True
    emulator.control("POST", "tokens/expire", {"platform": "linkedin", "token": page.access_token})
    assert services.check(page) is False
    page.refresh_from_db()
    assert page.status == ConnectedAccount.Status.NEEDS_RECONNECT


def test_a_refresh_token_renews_access_where_linkedin_issues_one(connect_page, emulator):
    emulator.control("POST", "behaviour", {"platform": "linkedin", "refresh_tokens": True})
    (account,) = connect_page()
    assert account.refresh_token.startswith("AQW")
    emulator.control(
        "POST", "tokens/expire", {"platform": "linkedin", "token": account.access_token}
    )
    assert services.check(account) is True
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.ACTIVE
    assert len(emulator.requests("linkedin", "linkedin.token")) == 2


def test_disconnecting_deletes_the_page_and_says_linkedin_cannot_revoke(client, page, workspace):
    response = client.post(reverse("connections_disconnect", args=["acme", page.pk]))
    assert response.status_code == 302
    assert not workspace.connected_accounts.exists()
    assert any("Permitted services" in m for m in messages_of(response))
