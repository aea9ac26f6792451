"""An X account's events: connecting subscribes it with the X Activity API (mentions, replies,
DMs) and the emulator then delivers them to Mixora; the plan's cap; disconnecting stops them."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from connections.platforms.registry import webhook_source
from connections.platforms.x import activity, events
from inbox.models import Conversation
from tests.connections.consent import callback_path, consent
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.inbox.test_polling_and_access import fill_x_plan

pytestmark = pytest.mark.django_db(transaction=True)

INBOX_EVENTS = ["dm.received", "dm.sent", "post.mention.create", "post.reply.create"]
CUSTOMER = {"id": "900001", "name": "Ana Lima"}
DEMOCO = "1500000000000000001"  # the emulator's seeded X user


def connect_x(client, owner, dropped: tuple[str, ...] = ()) -> ConnectedAccount:
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=[owner.workspace.slug, "x"]))
    client.get(callback_path(consent(start["Location"], drop_scopes=dropped)))
    return ConnectedAccount.objects.get(workspace=owner.workspace, external_id=DEMOCO)


def covered(emulator, account: ConnectedAccount) -> list[str]:
    """The event types the emulator will deliver to Mixora's webhook for the account."""
    entries = emulator.control("GET", "subscriptions?platform=x").get("x", [])
    return next((e["fields"] for e in entries if e["account_id"] == account.external_id), [])


def x_subscriptions(emulator) -> list[dict]:
    token = requests.post(
        f"{emulator.url}/x-api/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET),
        timeout=5,
    ).json()["access_token"]
    listed = requests.get(
        f"{emulator.url}/x-api/2/activity/subscriptions",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return listed.json()["data"]


def dm(emulator, account: ConnectedAccount, text: str) -> dict:
    payload = {"platform": "x", "kind": "message", "account_id": account.external_id}
    return emulator.control("POST", "inbound", {**payload, "from": CUSTOMER, "text": text})


def test_connecting_subscribes_the_account_and_its_dms_arrive(
    subscribed, client, owner, emulator, process_deliveries
):
    account = connect_x(client, owner)

    assert account.details["events"] == {
        "receiving": True,
        "detail": "X sends mentions, replies and direct messages as they happen.",
    }
    assert covered(emulator, account) == INBOX_EVENTS
    subs = x_subscriptions(emulator)
    assert sorted(s["event_type"] for s in subs) == INBOX_EVENTS
    assert {(s["filter"]["user_id"], s["tag"]) for s in subs} == {
        (account.external_id, "mixora-inbox")
    }
    event = dm(emulator, account, "Do you ship to Porto?")
    assert event["deliveries"][-1]["status"] == 200, event
    assert process_deliveries() == 1
    assert Conversation.objects.get().preview == "Do you ship to Porto?"

    connect_x(client, owner)  # reconnecting subscribes nothing twice
    assert len(x_subscriptions(emulator)) == 4


def test_an_account_connected_before_the_webhook_receives_once_it_is_registered(
    live_server, client, owner, emulator
):
    account = connect_x(client, owner)
    assert account.details["events"]["receiving"] is False
    assert "webhook is not registered yet" in account.details["events"]["detail"]
    assert covered(emulator, account) == []  # subscribed at X, but for the stream only

    done = webhook_source("x").register(f"{live_server.url}/webhooks/x/")

    assert done.endswith("; 4 subscriptions now deliver to it")
    assert covered(emulator, account) == INBOX_EVENTS
    # Its saved status (Connections page, the plan's count) says so too.
    account.refresh_from_db()
    assert account.details["events"] == {
        "receiving": True,
        "detail": "X sends mentions, replies and direct messages as they happen.",
    }


def test_without_the_dm_scope_only_mentions_and_replies_are_subscribed(
    subscribed, client, owner, emulator
):
    account = connect_x(client, owner, dropped=("dm.read", "dm.write"))

    assert account.details["events"]["receiving"] is True
    assert "allow dm.read" in account.details["events"]["detail"]
    assert covered(emulator, account) == ["post.mention.create", "post.reply.create"]


def test_when_the_plans_inboxes_are_taken_nothing_is_subscribed(
    subscribed, client, owner, emulator
):
    fill_x_plan(owner.workspace)

    account = connect_x(client, owner)

    assert account.details["events"] == {
        "receiving": False,
        "detail": "Mixora's X plan (self-serve) allows 375 accounts with an inbox, and all of "
        "them are in use: direct messages, replies and mentions of this account are not "
        "received.",
    }
    assert x_subscriptions(emulator) == []
    assert dm(emulator, account, "Hello?")["deliveries"][-1]["status"] is None


def test_disconnecting_deletes_the_subscriptions(subscribed, client, owner, emulator):
    account = connect_x(client, owner)
    assert len(x_subscriptions(emulator)) == 4

    client.post(reverse("connections_disconnect", args=["acme", account.pk]))

    assert not ConnectedAccount.objects.filter(pk=account.pk).exists()
    assert x_subscriptions(emulator) == []
    assert covered(emulator, account) == []
    assert dm(emulator, account, "Still there?")["deliveries"][-1]["status"] is None


# --- one X user connected in several workspaces ----------------------------------------------


def other_owner(slug: str = "beta"):
    return MembershipFactory(workspace=WorkspaceFactory(name=slug, slug=slug), role=Role.OWNER)


def test_disconnecting_in_one_workspace_keeps_the_other_workspaces_inbox(
    subscribed, client, owner, emulator, process_deliveries
):
    mine = connect_x(client, owner)
    beta = other_owner()
    theirs = connect_x(client, beta)
    assert len(x_subscriptions(emulator)) == 4  # one set per X user, shared

    client.force_login(owner.user)
    client.post(reverse("connections_disconnect", args=[owner.workspace.slug, mine.pk]))

    assert len(x_subscriptions(emulator)) == 4
    assert covered(emulator, theirs) == INBOX_EVENTS
    event = dm(emulator, theirs, "Still open?")
    assert event["deliveries"][-1]["status"] == 200, event
    assert process_deliveries() == 1
    assert Conversation.objects.get().workspace == beta.workspace

    client.force_login(beta.user)
    client.post(reverse("connections_disconnect", args=["beta", theirs.pk]))
    assert x_subscriptions(emulator) == []  # the last one out deletes them


def receiving_x_users(workspace, ids) -> None:
    ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform="x",
            external_id=str(n),
            display_name=f"X {n}",
            details={"events": {"receiving": True, "detail": ""}},
        )
        for n in ids
    )


def test_the_same_x_user_in_another_workspace_takes_no_new_inbox(
    subscribed, client, owner, emulator
):
    connect_x(client, owner)
    # The plan's inboxes are all taken by distinct X users, the seeded one among them.
    receiving_x_users(owner.workspace, range(activity.inbox_capacity() - 1))

    theirs = connect_x(client, other_owner())

    assert theirs.details["events"]["receiving"] is True
    assert len(x_subscriptions(emulator)) == 4


def test_the_plan_counts_x_users_not_connected_rows(subscribed, client, owner, emulator):
    # As many receiving rows as the plan has inboxes, but one X user is in two workspaces.
    receiving_x_users(owner.workspace, range(activity.inbox_capacity() - 1))
    receiving_x_users(other_owner().workspace, [0])

    account = connect_x(client, owner)

    assert account.details["events"]["receiving"] is True
    assert len(x_subscriptions(emulator)) == 4


# --- one definition of the event types -------------------------------------------------------


def test_the_inbox_event_types_are_defined_once():
    """What Mixora subscribes to (activity) is what it reads (events)."""
    package = Path(events.__file__).parent
    homes = {
        path.name
        for path in package.glob("*.py")
        for event_type in events.EVENT_TYPES
        if f'"{event_type}"' in path.read_text()
    }
    assert homes == {"events.py"}
    assert activity.EVENT_TYPES is events.EVENT_TYPES
