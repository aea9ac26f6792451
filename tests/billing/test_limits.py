"""Plan limits where things are created: connected accounts, seats, scheduled posts per month
and the inbox. A refusal says why with an upgrade link and changes nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.models import Invitation, Membership
from accounts.roles import Role
from connections import services
from connections.models import ConnectedAccount
from connections.platforms.base import Grant, Profile, TokenSet
from connections.platforms.inbox_types import InboundItem
from inbox.ingest import ingest
from inbox.models import Message
from mixora import limits
from publishing import workflow
from publishing.models import Post
from tests.connections.consent import callback_path, consent
from tests.factories import UserFactory
from tests.snapshots import workspace_snapshot

from .plan_states import put_on

BILLING = "/w/acme/billing/"
UPGRADE_LINK = f'<a class="refusal-link" href="{BILLING}">Upgrade</a>'
FULL_ACCOUNTS = (
    "Your Free plan includes 2 connected social accounts and 2 are in use: upgrade to add more."
)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _account(workspace, n: int, status: str = ConnectedAccount.Status.ACTIVE, platform="x"):
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform=platform,
        external_id=str(n),
        display_name=f"Account {n}",
        status=status,
    )


def make_conversation(workspace, account):
    """A customer's message, stored as a webhook delivery stores it."""
    (message,) = ingest(
        InboundItem(
            platform=account.platform,
            account_external_id=account.external_id,
            kind="message",
            thread_key="dm-ada",
            external_id="m-1",
            participant_id="ada",
            participant_name="Ada Customer",
            text="Is the shop open on Sunday?",
            sent_at=timezone.now(),
        )
    )
    return message.conversation


def _grant(*external_ids: str) -> Grant:
    profiles = tuple(Profile("youtube", eid, f"Channel {eid}") for eid in external_ids)
    return Grant(tokens=TokenSet(access_token="token", scopes=("youtube",)), profiles=profiles)


def _request(member):
    request = RequestFactory().post("/")
    request.user = member.user
    return request


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner.user)
    return client


def _connect(client, provider: str, **data: str):
    """Start connecting in Mixora and, if sent on to the platform, consent and come back."""
    start = client.post(reverse("connections_connect", args=["acme", provider]), data)
    if not start["Location"].startswith("http"):
        return start  # refused before leaving Mixora
    return client.get(callback_path(consent(start["Location"])))


# --- Connected accounts ----------------------------------------------------------------------


def test_connecting_past_the_limit_is_refused_before_the_platform(
    owner_client, workspace, emulator
):
    put_on(workspace, "free")
    _account(workspace, 1)
    _account(workspace, 2)
    before = workspace_snapshot(workspace)

    response = _connect(owner_client, "x")

    assert response.status_code == 302
    assert response["Location"] == reverse("connections", args=["acme"])
    assert messages_of(response) == [f"{FULL_ACCOUNTS} {UPGRADE_LINK}"]
    assert emulator.requests("x") == []  # never sent to the consent screen
    assert workspace_snapshot(workspace) == before


def test_an_account_filling_up_meanwhile_is_refused_at_the_callback(
    owner_client, workspace, emulator
):
    put_on(workspace, "free")
    _account(workspace, 1)
    start = owner_client.post(reverse("connections_connect", args=["acme", "x"]))
    _account(workspace, 2)  # another admin took the last place meanwhile

    response = owner_client.get(callback_path(consent(start["Location"])))

    assert response.status_code == 302
    assert messages_of(response) == [f"X was not connected. {FULL_ACCOUNTS} {UPGRADE_LINK}"]
    assert workspace.connected_accounts.count() == 2
    page = owner_client.get(reverse("connections", args=["acme"])).content.decode()
    assert UPGRADE_LINK in page  # the toast keeps the link a link (not escaped text)


def test_choosing_more_pages_than_the_plan_has_room_for_saves_none(
    owner_client, workspace, emulator
):
    put_on(workspace, "free")
    _account(workspace, 1)
    start = owner_client.post(reverse("connections_connect", args=["acme", "meta"]))
    choose = owner_client.get(callback_path(consent(start["Location"])))["Location"]
    keys = [o["key"] for o in owner_client.get(choose).context["options"]]

    refused = owner_client.post(choose, {"accounts": keys})

    assert refused.status_code == 400
    assert (
        "Your Free plan includes 2 connected social accounts and 1 is in use: upgrade to add "
        f"more. {UPGRADE_LINK}" in refused.content.decode()
    )
    assert workspace.connected_accounts.count() == 1
    done = owner_client.post(choose, {"accounts": keys[:1]})  # one fits
    assert done.status_code == 302
    assert workspace.connected_accounts.count() == 2


def test_reconnecting_an_account_at_the_limit_is_not_a_new_one(owner_client, workspace, emulator):
    put_on(workspace, "free")
    _account(workspace, 1)
    stale = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1500000000000000001",  # the emulator's seeded X account
        display_name="Demo Co",
        status=ConnectedAccount.Status.NEEDS_RECONNECT,
    )

    response = _connect(owner_client, "x", reconnect="1")

    assert messages_of(response) == ["Connected X: Demo Co."]
    stale.refresh_from_db()
    assert stale.status == ConnectedAccount.Status.ACTIVE
    assert workspace.connected_accounts.count() == 2


def test_a_revoked_account_coming_back_takes_a_place_again(workspace, owner):
    put_on(workspace, "free")
    _account(workspace, 1)
    _account(workspace, 2)
    revoked = _account(workspace, 3, ConnectedAccount.Status.REVOKED, platform="youtube")
    grant = _grant("3")

    with pytest.raises(limits.PlanLimitExceeded):
        services.save_grant(workspace, owner.user, grant, grant.profiles)

    revoked.refresh_from_db()
    assert revoked.status == ConnectedAccount.Status.REVOKED
    put_on(workspace, "pro")
    services.save_grant(workspace, owner.user, grant, grant.profiles)
    revoked.refresh_from_db()
    assert revoked.status == ConnectedAccount.Status.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_connections_finishing_at_once_cannot_both_take_the_last_place(
    workspace, owner, emulator
):
    put_on(workspace, "free")
    _account(workspace, 1)
    first_saved = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                grant = _grant("A")
                services.save_grant(workspace, owner.user, grant, grant.profiles)
                first_saved.set()
                time.sleep(0.5)  # not committed yet: the second one must wait, not count 1
        finally:
            connection.close()

    def second() -> None:
        first_saved.wait(10)
        grant = _grant("B")
        try:
            services.save_grant(workspace, owner.user, grant, grant.profiles)
            outcome["second"] = "saved"
        except limits.PlanLimitExceeded as exc:
            outcome["second"] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome["second"] == FULL_ACCOUNTS
    assert sorted(workspace.connected_accounts.values_list("external_id", flat=True)) == [
        "1",
        "A",
    ]


# --- Seats --------------------------------------------------------------------------------


def test_inviting_past_the_seats_is_refused_with_an_upgrade_link(
    owner_client, workspace, owner, make_member
):
    put_on(workspace, "free")
    make_member(workspace, Role.EDITOR)
    before = workspace_snapshot(workspace)

    response = owner_client.post(
        reverse("workspace_members", args=["acme"]),
        {"email": "new@example.test", "role": Role.EDITOR},
    )

    assert response.status_code == 400
    assert (
        "Your Free plan includes 2 team members and pending invitations and 2 are in use: "
        f"upgrade to add more. {UPGRADE_LINK}" in response.content.decode()
    )
    assert workspace_snapshot(workspace) == before
    assert mail.outbox == []


def test_pending_invitations_hold_seats_and_a_live_one_may_be_resent(workspace, owner):
    put_on(workspace, "free")
    request = _request(owner)
    pending = invitations.invite(owner, "one@example.test", Role.EDITOR, request)

    with pytest.raises(limits.PlanLimitExceeded):
        invitations.invite(owner, "two@example.test", Role.EDITOR, request)
    resent = invitations.invite(owner, "one@example.test", Role.VIEWER, request)  # same seat

    assert resent.pk == pending.pk
    Invitation.objects.filter(pk=pending.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert invitations.invite(owner, "two@example.test", Role.EDITOR, request)  # expired: freed
    with pytest.raises(limits.PlanLimitExceeded):  # renewing the expired one takes a seat again
        invitations.invite(owner, "one@example.test", Role.EDITOR, request)


def test_accepting_after_a_downgrade_left_no_seat_is_refused(workspace, owner, make_member):
    put_on(workspace, "pro")
    request = _request(owner)
    invitation = invitations.invite(owner, "late@example.test", Role.EDITOR, request)
    make_member(workspace, Role.EDITOR)
    put_on(workspace, "free")  # the subscription ended: 2 members + 1 invitation > 2
    person = UserFactory(email="late@example.test")

    with pytest.raises(invitations.UserFacingError, match="Acme has no free seat on its plan"):
        invitations.accept(invitation, person, request)

    assert not Membership.objects.filter(workspace=workspace, user=person).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    put_on(workspace, "pro")
    assert invitations.accept(invitation, person, request).role == Role.EDITOR


@pytest.mark.django_db(transaction=True)
def test_two_invitations_at_once_cannot_both_take_the_last_seat(workspace, owner):
    put_on(workspace, "free")
    first_saved = threading.Event()
    outcome: dict[str, object] = {}
    request = _request(owner)

    def first() -> None:
        try:
            with transaction.atomic():
                invitations.invite(owner, "a@example.test", Role.EDITOR, request)
                first_saved.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def second() -> None:
        first_saved.wait(10)
        try:
            invitations.invite(owner, "b@example.test", Role.EDITOR, request)
            outcome["second"] = "invited"
        except limits.PlanLimitExceeded:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome["second"] == "refused"
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.test"]


# --- Scheduled posts per month --------------------------------------------------------------


def _scheduled(workspace, owner, account, when, n: int = 1) -> list[Post]:
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, author=owner.user, text=f"Post {i}", stage=Post.Stage.SCHEDULED)
        for i in range(n)
    )
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(scheduled_at=when)
    return posts


def _draft(workspace, owner, account, when) -> Post:
    post = Post.objects.create(
        workspace=workspace, author=owner.user, text="One more", scheduled_at=when
    )
    post.targets.create(account=account)
    return post


def test_scheduling_past_the_month_is_refused_and_the_post_stays_a_draft(
    owner_client, workspace, owner
):
    put_on(workspace, "free")
    account = _account(workspace, 1)
    when = timezone.now() + timedelta(minutes=5)
    _scheduled(workspace, owner, account, when, n=30)
    post = _draft(workspace, owner, account, when)

    response = owner_client.post(reverse("post_schedule", args=["acme", post.pk]))

    assert messages_of(response) == [
        "Your Free plan includes 30 scheduled posts this month and 30 are in use: upgrade to "
        f"add more. {UPGRADE_LINK}"
    ]
    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT
    assert post.targets.get().state == "draft"


def test_another_month_has_its_own_room(workspace, owner):
    put_on(workspace, "free")
    account = _account(workspace, 1)
    now = timezone.now()
    _scheduled(workspace, owner, account, now, n=30)
    post = _draft(workspace, owner, account, now + timedelta(days=40))

    workflow.schedule(post, owner)

    assert post.stage == Post.Stage.SCHEDULED


def test_editing_a_post_already_scheduled_in_a_full_month_keeps_its_place(workspace, owner):
    put_on(workspace, "free")
    account = _account(workspace, 1)
    when = timezone.now() + timedelta(minutes=5)
    _scheduled(workspace, owner, account, when, n=29)
    post = _draft(workspace, owner, account, when)
    workflow.schedule(post, owner)  # the 30th

    post.text = "Edited"
    post.save()
    workflow.schedule(post, owner)  # what after_edit does: the same month, no new place

    post.scheduled_at = when + timedelta(days=40)  # moved to next month: room there
    post.save()
    workflow.schedule(post, owner)
    assert post.targets.get().due_at == when + timedelta(days=40)


@pytest.mark.django_db(transaction=True)
def test_two_schedulings_at_once_cannot_both_take_the_last_place(workspace, owner):
    put_on(workspace, "free")
    account = _account(workspace, 1)
    when = timezone.now() + timedelta(minutes=5)
    _scheduled(workspace, owner, account, when, n=29)
    first_post, second_post = (_draft(workspace, owner, account, when) for _ in range(2))
    first_saved = threading.Event()
    outcome: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                workflow.schedule(first_post, owner)
                first_saved.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def second() -> None:
        first_saved.wait(10)
        try:
            workflow.schedule(second_post, owner)
            outcome["second"] = "scheduled"
        except limits.PlanLimitExceeded:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome["second"] == "refused"
    assert Post.objects.filter(stage=Post.Stage.SCHEDULED).count() == 30


# --- Inbox --------------------------------------------------------------------------------


def test_the_inbox_is_an_upgrade_page_without_the_feature(owner_client, workspace, owner):
    put_on(workspace, "free")
    account = _account(workspace, 1)
    conversation = make_conversation(workspace, account)

    page = owner_client.get(reverse("inbox", args=["acme"]))
    thread = owner_client.get(reverse("inbox_conversation", args=["acme", conversation.pk]))
    poll = owner_client.get(reverse("inbox_updates", args=["acme"]), headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "Not in your Free plan" in page.content.decode()
    assert f'href="{BILLING}">Upgrade to get the inbox</a>' in page.content.decode()
    assert "inbox/upgrade.html" in [t.name for t in thread.templates]
    assert conversation.participant_name not in thread.content.decode()
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    settings_page = owner_client.get(reverse("inbox_settings", args=["acme"]))
    assert settings_page.status_code == 200  # retention stays a choice, whatever the plan


def test_replies_are_refused_without_the_inbox(owner_client, workspace, owner):
    put_on(workspace, "free")
    conversation = make_conversation(workspace, _account(workspace, 1))
    sent = Message.objects.filter(direction=Message.Direction.OUTBOUND)

    response = owner_client.post(
        reverse("inbox_reply", args=["acme", conversation.pk]), {"text": "Hello!"}
    )

    assert response.status_code == 403
    assert not sent.exists()
    put_on(workspace, "pro")
    assert owner_client.get(reverse("inbox", args=["acme"])).templates[0].name == "inbox/inbox.html"


def test_an_editor_is_told_to_ask_an_owner(client, workspace, make_member):
    put_on(workspace, "free")
    client.force_login(make_member(workspace, Role.EDITOR))

    page = client.get(reverse("inbox", args=["acme"])).content.decode()

    assert "Ask an owner of Acme to upgrade the plan." in page
    assert BILLING not in page.split('<main id="main"')[1]


def test_events_keep_arriving_without_the_inbox(owner_client, workspace, owner):
    """Nothing is lost: storing events does not look at the plan, and an upgrade shows them."""
    put_on(workspace, "free")

    conversation = make_conversation(workspace, _account(workspace, 1))

    assert conversation.workspace_id == workspace.pk
    put_on(workspace, "pro")
    page = owner_client.get(reverse("inbox", args=["acme"])).content.decode()
    assert "Ada Customer" in page
