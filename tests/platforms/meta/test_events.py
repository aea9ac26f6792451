"""Meta sends a Page's (and its Instagram account's) events only once the app is installed on
the Page: connecting installs it, disconnecting the last account of that Page removes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections.models import ConnectedAccount
from tests.connections.consent import callback_path, consent

pytestmark = pytest.mark.django_db(transaction=True)

COFFEE, BAKERY, COFFEE_IG = "20000000000001", "20000000000002", "17841400000000001"


def installed(emulator) -> dict[str, list[str]]:
    """Account id -> subscribed fields, as the emulator holds them."""
    listed = emulator.control("GET", "subscriptions?platform=meta").get("meta", [])
    return {entry["account_id"]: entry["fields"] for entry in listed}


def connect_meta(client, slug: str = "acme", drop_scopes: tuple[str, ...] = ()) -> None:
    start = client.post(reverse("connections_connect", args=[slug, "meta"]))
    back = client.get(callback_path(consent(start["Location"], drop_scopes=drop_scopes)))
    page = client.get(back["Location"])
    client.post(back["Location"], {"accounts": [o["key"] for o in page.context["options"]]})


def disconnect(client, account: ConnectedAccount) -> None:
    url = reverse("connections_disconnect", args=["acme", account.pk])
    assert client.post(url).status_code == 302


@pytest.fixture
def meta_accounts(client, owner, emulator) -> dict[str, ConnectedAccount]:
    client.force_login(owner.user)
    connect_meta(client)
    return {a.external_id: a for a in ConnectedAccount.objects.all()}


def test_connecting_installs_the_app_on_each_page(meta_accounts, emulator, client):
    fields = installed(emulator)
    assert fields[COFFEE] == ["feed", "messages"]
    assert fields[BAKERY] == ["feed", "messages"]
    assert "messages" in fields[COFFEE_IG]  # through its linked Page (the app's DM fields)
    calls = emulator.requests("meta", "meta.subscribed_apps")
    assert {c["path"].split("/")[-2] for c in calls} == {COFFEE, BAKERY}
    for account in ConnectedAccount.objects.all():
        assert account.details["events"]["receiving"] is True, account
    page = client.get(reverse("connections", args=["acme"])).content.decode()
    assert page.count("Receiving events") == 3


def test_disconnecting_removes_the_install_only_when_no_account_needs_it(
    meta_accounts, emulator, client
):
    disconnect(client, meta_accounts[COFFEE])
    # The Instagram account linked to the Page still needs its events.
    assert COFFEE in installed(emulator)
    disconnect(client, meta_accounts[COFFEE_IG])
    assert COFFEE not in installed(emulator)
    assert COFFEE_IG not in installed(emulator)
    assert BAKERY in installed(emulator)


def join_beta(client) -> None:
    """Log in as the owner of a second workspace, Beta."""
    from accounts.roles import Role
    from tests.factories import MembershipFactory, WorkspaceFactory

    other = MembershipFactory(workspace=WorkspaceFactory(name="Beta", slug="beta"), role=Role.OWNER)
    client.force_login(other.user)


def test_a_page_connected_in_another_workspace_keeps_its_install(meta_accounts, emulator, client):
    join_beta(client)
    connect_meta(client, "beta")
    acme = meta_accounts[BAKERY]
    client.force_login(acme.connected_by)
    disconnect(client, acme)
    assert BAKERY in installed(emulator)


def test_an_uninstalled_page_gets_no_events(meta_accounts, subscribed, emulator, client):
    disconnect(client, meta_accounts[BAKERY])
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "message",
            "account_id": BAKERY,
            "from": {"id": "900001", "name": "Ana Lima"},
            "text": "Hello?",
        },
    )
    assert event["deliveries"][0]["status"] is None
    assert "not subscribed" in event["deliveries"][0]["error"]


def test_without_pages_manage_metadata_the_page_says_not_receiving(owner, emulator, client):
    client.force_login(owner.user)
    connect_meta(client, drop_scopes=("pages_manage_metadata",))
    assert installed(emulator) == {}
    account = ConnectedAccount.objects.get(external_id=COFFEE)
    assert account.details["events"]["receiving"] is False
    assert "pages_manage_metadata" in account.details["events"]["detail"]
    page = client.get(reverse("connections", args=["acme"])).content.decode()
    assert "Not receiving events" in page
    assert "Receiving events" not in page.replace("Not receiving events", "")


def test_reconnecting_installs_again(meta_accounts, emulator, client):
    emulator.control("POST", "reset")  # as if the Page removed the app at Facebook
    assert installed(emulator) == {}
    connect_meta(client)
    assert set(installed(emulator)) == {COFFEE, BAKERY, COFFEE_IG}


def messenger_message(emulator) -> dict:
    return emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "message",
            "account_id": COFFEE,
            "from": {"id": "900001", "name": "Ana Lima"},
            "text": "Still there?",
        },
    )


def test_a_log_in_without_messenger_keeps_messenger_for_another_workspace(
    meta_accounts, subscribed, emulator, client
):
    join_beta(client)
    connect_meta(client, "beta", drop_scopes=("pages_messaging",))
    # Acme's Page still says "messages and comments", and Facebook still sends them.
    assert installed(emulator)[COFFEE] == ["feed", "messages"]
    assert messenger_message(emulator)["deliveries"][0]["status"] == 200
    beta = ConnectedAccount.objects.get(workspace__slug="beta", external_id=COFFEE)
    assert beta.details["events"] == {
        "receiving": True,
        "detail": "Facebook sends this account's comments.",
    }


def test_disconnecting_narrows_the_install_to_what_the_remaining_accounts_need(
    owner, emulator, client
):
    join_beta(client)
    connect_meta(client, "beta", drop_scopes=("pages_messaging",))
    client.force_login(owner.user)
    connect_meta(client)
    assert installed(emulator)[COFFEE] == ["feed", "messages"]
    acme = {a.external_id: a for a in ConnectedAccount.objects.filter(workspace__slug="acme")}
    disconnect(client, acme[COFFEE])
    # Acme's Instagram account, allowed Messenger fields, still needs them.
    assert installed(emulator)[COFFEE] == ["feed", "messages"]
    disconnect(client, acme[COFFEE_IG])
    # Only Beta's accounts remain, without pages_messaging: comments only.
    assert installed(emulator)[COFFEE] == ["feed"]


def test_reconnecting_without_messenger_drops_it_when_no_account_needs_it(
    meta_accounts, emulator, client
):
    connect_meta(client, drop_scopes=("pages_messaging",))
    assert installed(emulator)[COFFEE] == ["feed"]
    assert installed(emulator)[BAKERY] == ["feed"]
