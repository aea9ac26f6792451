"""Connecting each platform end to end: Mixora → the emulator's consent page → back."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from tests.factories import MembershipFactory

from .consent import callback_path, consent, query

EXPECTED = {
    "x": [("x", "1500000000000000001", "Demo Co", "@democo")],
    "tiktok": [("tiktok", "tt-open-000001", "Demo Co", "@democo")],
    "google": [("youtube", "UCdemo0000000000000000001", "Demo Co TV", "@democotv")],
    "meta": [
        ("facebook", "20000000000001", "Demo Co Coffee", "@demococoffee"),
        ("facebook", "20000000000002", "Demo Co Bakery", ""),
        ("instagram", "17841400000000001", "democo.coffee", "@democo.coffee"),
    ],
}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("provider", ["x", "tiktok", "google", "meta"])
def test_connecting_stores_the_account_with_encrypted_tokens(connect, workspace, provider):
    response = connect(provider)

    assert response.status_code == 302
    assert response["Location"] == reverse("connections", args=["acme"])
    accounts = ConnectedAccount.objects.filter(workspace=workspace).order_by("platform", "pk")
    got = sorted((a.platform, a.external_id, a.display_name, a.handle) for a in accounts)
    assert [g[:2] for g in got] == sorted(e[:2] for e in EXPECTED[provider])
    for account in accounts:
        assert account.status == ConnectedAccount.Status.ACTIVE
        assert account.access_token
        assert account.scopes
        assert account.last_success_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCOUNT_CONNECTED, workspace=workspace
    ).count() == len(EXPECTED[provider])


def test_x_uses_pkce_and_confidential_client_auth(connect, emulator):
    connect("x")
    (token_call,) = emulator.requests("x", "x.token")
    assert token_call["form"]["grant_type"] == "authorization_code"
    assert len(token_call["form"]["code_verifier"]) >= 43
    headers = {k.lower(): v for k, v in token_call["headers"].items()}
    assert headers.get("authorization", "").startswith("Basic ")


def test_meta_lets_the_person_choose_pages(connect, workspace):
    response = connect("meta", choose=["facebook:20000000000002"])
    assert response.status_code == 302
    assert list(workspace.connected_accounts.values_list("external_id", flat=True)) == [
        "20000000000002"
    ]


def test_meta_choice_of_nothing_is_refused_and_stores_nothing(owner_client, workspace, emulator):
    start = owner_client.post(reverse("connections_connect", args=["acme", "meta"]))
    back = owner_client.get(callback_path(consent(start["Location"])))
    response = owner_client.post(back["Location"], {"accounts": []})
    assert response.status_code == 400
    assert "Choose at least one" in response.content.decode()
    assert not workspace.connected_accounts.exists()


@pytest.mark.parametrize("provider", ["x", "tiktok", "google", "meta"])
def test_denied_consent_stores_nothing_and_says_so(connect, workspace, provider):
    response = connect(provider, allow=False)
    assert response.status_code == 302
    assert not workspace.connected_accounts.exists()
    assert any("was not connected" in m for m in messages_of(response))


def test_tampered_state_is_refused_and_stores_nothing(owner_client, workspace, emulator):
    start = owner_client.post(reverse("connections_connect", args=["acme", "x"]))
    location = consent(start["Location"])
    params = query(location)
    tampered = reverse("connections_callback", args=["x"]) + (
        f"?code={params['code']}&state=forged-{params['state']}"
    )
    response = owner_client.get(tampered)
    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert not workspace.connected_accounts.exists()


def test_a_state_is_good_for_one_callback_only(owner_client, workspace, emulator):
    start = owner_client.post(reverse("connections_connect", args=["acme", "x"]))
    path = callback_path(consent(start["Location"]))
    assert owner_client.get(path).status_code == 302
    assert owner_client.get(path).status_code == 400
    assert workspace.connected_accounts.count() == 1


def test_a_callback_in_another_session_is_refused(client, owner_client, workspace, emulator):
    start = owner_client.post(reverse("connections_connect", args=["acme", "x"]))
    path = callback_path(consent(start["Location"]))
    stranger = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    client.logout()
    client.force_login(stranger)  # same workspace, different browser session
    assert client.get(path).status_code == 400
    assert not workspace.connected_accounts.exists()


def test_a_member_demoted_mid_flow_cannot_finish(owner_client, owner, workspace, emulator):
    start = owner_client.post(reverse("connections_connect", args=["acme", "x"]))
    path = callback_path(consent(start["Location"]))
    MembershipFactory(workspace=workspace, role=Role.OWNER)  # someone must stay owner
    workspace.memberships.filter(user=owner).update(role=Role.EDITOR)
    assert owner_client.get(path).status_code == 404
    assert not workspace.connected_accounts.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.VIEWER])
def test_only_owners_and_admins_may_start_a_connection(client, workspace, role):
    member = MembershipFactory(workspace=workspace, role=role).user
    client.force_login(member)
    response = client.post(reverse("connections_connect", args=["acme", "x"]))
    assert response.status_code == 403


def test_reconnecting_the_same_account_keeps_its_row_and_history(connect, workspace):
    connect("x")
    first = workspace.connected_accounts.get()
    first.status = ConnectedAccount.Status.NEEDS_RECONNECT
    first.save(update_fields=["status"])

    connect("x")

    again = workspace.connected_accounts.get()
    assert again.pk == first.pk
    assert again.status == ConnectedAccount.Status.ACTIVE
    assert again.access_token != first.access_token
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_RECONNECTED).count() == 1


def test_an_unconfigured_platform_says_what_to_set(owner_client, settings, emulator):
    settings.PLATFORM_CREDENTIALS = {**settings.PLATFORM_CREDENTIALS, "tiktok": ("", "")}
    page = owner_client.get(reverse("connections", args=["acme"])).content.decode()
    assert "TIKTOK_CLIENT_KEY" in page
    assert "TIKTOK_CLIENT_SECRET" in page
    refused = owner_client.post(reverse("connections_connect", args=["acme", "tiktok"]))
    assert refused.status_code == 302
    assert any("not configured" in m for m in messages_of(refused))


def test_a_platform_outage_during_the_exchange_stores_nothing(connect, workspace, emulator):
    emulator.fail_next("tiktok", "tiktok.token", "server")
    response = connect("tiktok")
    assert not workspace.connected_accounts.exists()
    assert any("was not connected" in m for m in messages_of(response))
