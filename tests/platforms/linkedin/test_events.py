"""A LinkedIn page's comment notifications: connecting subscribes the page (Event Subscription
API), the emulator then delivers members' comments to Mixora's webhook, polling becomes a slow
reconcile, and disconnecting deletes the subscription."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from connections.platforms.linkedin import MIN_POLL_SECONDS, RECONCILE_SECONDS
from connections.platforms.registry import network, webhook_source
from inbox import polling
from inbox.models import Conversation, Message
from tests.connections.consent import callback_path, consent
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"
MEMBER = {"id": "urn:li:person:zLqTygBP8S", "name": "Sam Member"}


@pytest.fixture
def webhook(live_server, settings, emulator):
    """Mixora's LinkedIn webhook registered (and validated) at the emulator, on this site."""
    settings.SITE_URL = live_server.url
    webhook_source("linkedin").register(f"{live_server.url}/webhooks/linkedin/")
    return live_server


def subscribed(emulator) -> list[str]:
    listed = emulator.control("GET", "subscriptions?platform=linkedin").get("linkedin", [])
    return [entry["account_id"] for entry in listed if entry["fields"] == [EVENT]]


def comment(emulator, org_id: str, text: str) -> dict:
    post = emulator.control("POST", "posts", {"network": "linkedin", "account_id": org_id})
    payload = {"platform": "linkedin", "kind": "comment", "account_id": org_id, "text": text}
    return emulator.control("POST", "inbound", {**payload, "post_id": post["id"], "from": MEMBER})


def test_connecting_subscribes_the_page_and_its_comments_arrive_once(
    webhook, page, emulator, process_deliveries, celery_queue
):
    assert page.details["events"] == {
        "receiving": True,
        "detail": "LinkedIn sends new comments on the page's public posts as they happen.",
    }
    assert subscribed(emulator) == [page.external_id]

    event = comment(emulator, page.external_id, "Is this role remote?")

    assert event["deliveries"][-1]["status"] == 200, event
    assert process_deliveries() == 1
    conversation = Conversation.objects.get()
    assert (conversation.kind, conversation.thread_key) == ("comment", event["id"])
    assert conversation.participant_id == MEMBER["id"]
    assert conversation.participant_name == "LinkedIn member"
    (message,) = conversation.messages.all()
    assert (message.direction, message.text) == (Message.Direction.INBOUND, "Is this role remote?")
    assert message.sender_name == "LinkedIn member"

    # LinkedIn redelivers, and the reconcile poll lists the same comment: stored once.
    emulator.control("POST", "inbound", {"platform": "linkedin", "redeliver": event["id"]})
    assert process_deliveries() == 0
    assert polling.poll(page) == 0
    assert Message.objects.count() == 1


def test_while_notified_the_page_is_polled_only_as_a_slow_reconcile(webhook, page):
    linkedin = network("linkedin")

    assert linkedin.poll_interval_seconds(page) == RECONCILE_SECONDS
    (feature,) = linkedin.inbox_features(page)
    assert feature.detail.startswith("Comments on public posts arrive as they happen")


def test_a_page_connected_before_the_webhook_is_registered_is_polled(page, emulator):
    assert page.details["events"]["receiving"] is False
    assert "no registered and validated webhook" in page.details["events"]["detail"]
    assert subscribed(emulator) == []
    assert network("linkedin").poll_interval_seconds(page) == MIN_POLL_SECONDS


def test_an_organisation_that_is_not_subscribed_gets_no_delivery(webhook, page, emulator):
    other = "90000002"  # the member administers it, but it was not connected

    event = comment(emulator, other, "Anyone there?")

    assert event["deliveries"][-1]["status"] is None
    assert f"{other} is not subscribed" in event["deliveries"][-1]["error"]


def test_disconnecting_deletes_the_subscription(webhook, page, client, emulator):
    client.post(reverse("connections_disconnect", args=["acme", page.pk]))

    assert not ConnectedAccount.objects.filter(pk=page.pk).exists()
    assert subscribed(emulator) == []
    event = comment(emulator, page.external_id, "Still there?")
    assert event["deliveries"][-1]["status"] is None


def test_polled_comments_show_a_readable_name_not_the_member_urn(page, emulator, celery_queue):
    comment(emulator, page.external_id, "Hello from polling")

    assert polling.poll(page) == 1

    assert Conversation.objects.get().participant_name == "LinkedIn member"


def test_without_the_app_id_the_page_is_polled(webhook, settings, connect_page, emulator):
    settings.LINKEDIN_APP_ID = ""

    (account,) = connect_page()

    assert account.details["events"]["receiving"] is False
    assert "set LINKEDIN_APP_ID" in account.details["events"]["detail"]
    assert subscribed(emulator) == []
    assert network("linkedin").poll_interval_seconds(account) == MIN_POLL_SECONDS


def test_a_page_another_workspace_connected_as_the_same_member_stays_subscribed(
    webhook, page, client, emulator
):
    beta = WorkspaceFactory(name="Beta", slug="beta")
    other = Client()
    other.force_login(MembershipFactory(workspace=beta, role=Role.OWNER).user)
    start = other.post(reverse("connections_connect", args=["beta", "linkedin"]))
    back = other.get(callback_path(consent(start["Location"])))
    other.post(back["Location"], {"accounts": [f"linkedin:{page.external_id}"]})
    assert beta.connected_accounts.get().details["events"]["receiving"] is True

    client.post(reverse("connections_disconnect", args=["acme", page.pk]))

    # One LinkedIn subscription (app, member, organisation) serves both workspaces.
    assert subscribed(emulator) == [page.external_id]
