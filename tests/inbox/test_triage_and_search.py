"""The team's work on conversations: assigning, statuses and snoozes, labels, internal notes,
per-person unread, filters and full-text search, live updates, and the pages' query counts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox import deliveries, replies, tasks
from inbox.models import Conversation, Label, Message, WebhookDelivery
from notifications.models import Notification
from tests.factories import WorkspaceFactory

X_ID = "1500000000000000001"
_ids = itertools.count(1_650_000_000_000_000_001)


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id=X_ID,
        display_name="Acme on X",
        scopes=["tweet.read", "tweet.write", "users.read", "dm.read", "dm.write"],
    )


@pytest.fixture
def facebook_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id="20000000000009",
        display_name="Acme Page",
        scopes=["pages_messaging", "pages_manage_engagement"],
    )


def customer_dm(client, sender_id, name, text, at=None):
    """An X Activity dm.received delivery, signed as X signs it, posted to our webhook and
    processed by the delivery task's function."""
    at = at or timezone.now()
    dm = {
        "type": "message_create",
        "id": str(next(_ids)),
        "created_timestamp": str(int(at.timestamp() * 1000)),
        "message_create": {
            "target": {"recipient_id": X_ID},
            "sender_id": sender_id,
            "message_data": {"text": text},
        },
    }
    user = {"id": sender_id, "name": name, "username": name.lower()}
    body = {
        "data": {
            "event_uuid": dm["id"],
            "filter": {"user_id": X_ID},
            "event_type": "dm.received",
            "payload": {"direct_message_events": [dm], "users": {sender_id: {"data": user}}},
        }
    }
    raw = json.dumps(body).encode()
    digest = hmac.new(settings.X_CONSUMER_SECRET.encode(), raw, hashlib.sha256).digest()
    response = client.post(
        "/webhooks/x/",
        raw,
        content_type="application/json",
        headers={"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()},
    )
    assert response.status_code == 200
    for pk in list(WebhookDelivery.objects.values_list("pk", flat=True)):
        deliveries.process(pk)
    return Conversation.objects.get(account__external_id=X_ID, thread_key=sender_id)


def _conversation(account, participant="Ana Lima", text="Hello", **fields):
    """A thread stored directly, for tests about reading rather than receiving."""
    convo = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind=fields.pop("kind", "message"),
        thread_key=fields.pop("thread_key", f"{participant}-{next(_ids)}"),
        participant_id=participant.lower().replace(" ", "-"),
        participant_name=participant,
        last_inbound_at=fields.pop("last_inbound_at", timezone.now()),
        preview=text,
        **fields,
    )
    Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.INBOUND,
        external_id=str(next(_ids)),
        text=text,
        sender_name=participant,
    )
    return convo


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("inbox", args=["acme"]), params)
    assert response.status_code == 200
    return [c.pk for c in response.context["rows"]]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner.user)
    return client


# --- assigning -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.ADMIN])
def test_assigning_a_teammate_who_can_reply_notifies_them(
    owner_client, owner, x_account, make_member, workspace, role
):
    convo = _conversation(x_account)
    teammate = make_member(workspace, role)

    response = owner_client.post(
        reverse("inbox_assign", args=["acme", convo.pk]), {"assignee": teammate.pk}
    )

    assert response.status_code == 302
    assert "Assigned." in _flash(response)
    convo.refresh_from_db()
    assert convo.assignee == teammate
    note = Notification.objects.get(user=teammate)
    assert note.workspace == workspace
    assert "assigned you a conversation with Ana Lima" in note.message
    assert note.url == reverse("inbox_conversation", args=["acme", convo.pk])


def test_assigning_yourself_sends_no_notification(owner_client, owner, x_account):
    convo = _conversation(x_account)
    owner_client.post(reverse("inbox_assign", args=["acme", convo.pk]), {"assignee": owner.user.pk})
    convo.refresh_from_db()
    assert convo.assignee == owner.user
    assert not Notification.objects.exists()


def test_assigning_a_viewer_is_refused(owner_client, x_account, make_member, workspace):
    convo = _conversation(x_account)
    viewer = make_member(workspace, Role.VIEWER)

    response = owner_client.post(
        reverse("inbox_assign", args=["acme", convo.pk]), {"assignee": viewer.pk}
    )

    assert "Choose a teammate who can answer the inbox." in _flash(response)
    convo.refresh_from_db()
    assert convo.assignee is None
    assert not Notification.objects.exists()


def test_assigning_a_member_of_another_workspace_is_refused(owner_client, x_account, make_member):
    convo = _conversation(x_account)
    stranger = make_member(WorkspaceFactory(), Role.OWNER)

    response = owner_client.post(
        reverse("inbox_assign", args=["acme", convo.pk]), {"assignee": stranger.pk}
    )

    assert "Choose a teammate who can answer the inbox." in _flash(response)
    convo.refresh_from_db()
    assert convo.assignee is None
    assert not Notification.objects.exists()


def test_unassigning_clears_the_assignee(owner_client, owner, x_account):
    convo = _conversation(x_account, assignee=owner.user)
    response = owner_client.post(reverse("inbox_assign", args=["acme", convo.pk]), {"assignee": ""})
    assert "Unassigned." in _flash(response)
    convo.refresh_from_db()
    assert convo.assignee is None


# --- status --------------------------------------------------------------------------------


def _local(moment):
    """A datetime-local field value in the workspace's time zone (Europe/London)."""
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def test_status_goes_open_pending_snoozed_resolved(owner_client, x_account):
    convo = _conversation(x_account)
    url = reverse("inbox_status", args=["acme", convo.pk])
    assert convo.status == Conversation.Status.OPEN

    owner_client.post(url, {"status": "pending"})
    convo.refresh_from_db()
    assert convo.status == Conversation.Status.PENDING

    until = timezone.now() + timedelta(hours=3)
    response = owner_client.post(url, {"status": "snoozed", "snoozed_until": _local(until)})
    assert "Marked snoozed." in _flash(response)
    convo.refresh_from_db()
    assert convo.status == Conversation.Status.SNOOZED
    assert abs(convo.snoozed_until - until) < timedelta(minutes=1)

    owner_client.post(url, {"status": "resolved"})
    convo.refresh_from_db()
    assert (convo.status, convo.snoozed_until) == (Conversation.Status.RESOLVED, None)


@pytest.mark.parametrize("when", ["", "past"])
def test_snoozing_needs_a_time_in_the_future(owner_client, x_account, when):
    convo = _conversation(x_account, status=Conversation.Status.PENDING)
    value = _local(timezone.now() - timedelta(hours=1)) if when == "past" else ""

    response = owner_client.post(
        reverse("inbox_status", args=["acme", convo.pk]),
        {"status": "snoozed", "snoozed_until": value},
    )

    assert "Choose when the snooze ends, in the future." in _flash(response)
    convo.refresh_from_db()
    assert (convo.status, convo.snoozed_until) == (Conversation.Status.PENDING, None)


def test_an_unknown_status_is_refused(owner_client, x_account):
    convo = _conversation(x_account)
    response = owner_client.post(
        reverse("inbox_status", args=["acme", convo.pk]), {"status": "archived"}
    )
    assert "Choose a status." in _flash(response)
    convo.refresh_from_db()
    assert convo.status == Conversation.Status.OPEN


def test_wake_snoozed_reopens_only_conversations_whose_snooze_ended(x_account):
    now = timezone.now()
    due = _conversation(x_account, status="snoozed", snoozed_until=now + timedelta(hours=1))
    later = _conversation(x_account, status="snoozed", snoozed_until=now + timedelta(days=1))
    # An hour passes for the first one.
    Conversation.objects.filter(pk=due.pk).update(snoozed_until=now - timedelta(seconds=1))

    assert tasks.wake_snoozed() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.snoozed_until) == (Conversation.Status.OPEN, None)
    assert due.updated_at > now
    assert later.status == Conversation.Status.SNOOZED


@pytest.mark.parametrize("status", [Conversation.Status.RESOLVED, Conversation.Status.SNOOZED])
def test_a_new_customer_message_reopens_the_conversation(client, x_account, status):
    convo = customer_dm(client, "42", "Ana", "My order is late")
    snooze = timezone.now() + timedelta(days=1) if status == "snoozed" else None
    Conversation.objects.filter(pk=convo.pk).update(status=status, snoozed_until=snooze)

    convo = customer_dm(client, "42", "Ana", "Still waiting!")

    assert (convo.status, convo.snoozed_until) == (Conversation.Status.OPEN, None)
    assert convo.preview == "Still waiting!"


def test_an_old_message_arriving_late_does_not_reopen_a_resolved_thread(client, x_account):
    convo = customer_dm(client, "42", "Ana", "Thanks, all good now")
    Conversation.objects.filter(pk=convo.pk).update(status="resolved")

    convo = customer_dm(
        client, "42", "Ana", "(sent earlier)", at=timezone.now() - timedelta(hours=1)
    )

    assert convo.status == Conversation.Status.RESOLVED
    assert convo.preview == "Thanks, all good now"


# --- labels --------------------------------------------------------------------------------


def test_labels_of_this_workspace_can_be_set(owner_client, x_account, workspace):
    convo = _conversation(x_account)
    shipping = Label.objects.create(workspace=workspace, name="Shipping")
    vip = Label.objects.create(workspace=workspace, name="VIP")

    shown = [shipping.pk, vip.pk]
    response = owner_client.post(
        reverse("inbox_labels", args=["acme", convo.pk]),
        {"shown": shown, "labels": [shipping.pk, vip.pk]},
    )

    assert "Labels saved." in _flash(response)
    assert set(convo.labels.all()) == {shipping, vip}
    owner_client.post(
        reverse("inbox_labels", args=["acme", convo.pk]), {"shown": shown, "labels": [vip.pk]}
    )
    assert list(convo.labels.all()) == [vip]


def test_labels_of_another_workspace_are_refused(owner_client, x_account, workspace):
    convo = _conversation(x_account)
    mine = Label.objects.create(workspace=workspace, name="Mine")
    convo.labels.add(mine)
    theirs = Label.objects.create(workspace=WorkspaceFactory(), name="Theirs")

    response = owner_client.post(
        reverse("inbox_labels", args=["acme", convo.pk]),
        {"shown": [mine.pk, theirs.pk], "labels": [theirs.pk]},
    )

    assert "Choose labels of this workspace." in _flash(response)
    assert list(convo.labels.all()) == [mine]


# --- internal notes ------------------------------------------------------------------------


def test_internal_note_is_shown_to_the_team_and_never_sent(
    emulator, client, owner, make_member, workspace, x_account
):
    convo = _conversation(x_account, text="Can I get a refund?")
    client.force_login(owner.user)

    response = client.post(
        reverse("inbox_note", args=["acme", convo.pk]), {"text": "Check the order first"}
    )

    assert response.status_code == 302
    note = Message.objects.get(direction=Message.Direction.NOTE)
    assert (note.text, note.author, note.conversation) == (
        "Check the order first",
        owner.user,
        convo,
    )
    # No reply task has anything to send, whatever runs.
    assert replies.send(note.pk) == "skipped"
    assert emulator.control("GET", "replies") == []
    assert emulator.requests("x") == []
    # Every teammate, viewers included, sees it on the page, marked as a note.
    client.force_login(make_member(workspace, Role.VIEWER))
    html = client.get(reverse("inbox_conversation", args=["acme", convo.pk])).content.decode()
    assert "Check the order first" in html
    assert "bubble--note" in html


def test_an_empty_note_is_refused(owner_client, x_account):
    convo = _conversation(x_account)
    response = owner_client.post(reverse("inbox_note", args=["acme", convo.pk]), {"text": ""})
    assert "Type a note of at most 5,000 characters." in _flash(response)
    assert not Message.objects.filter(direction=Message.Direction.NOTE).exists()


# --- unread, per person ---------------------------------------------------------------------


def test_unread_is_per_teammate_and_a_new_message_makes_it_unread_again(
    client, owner, make_member, workspace, x_account
):
    editor = make_member(workspace, Role.EDITOR)
    convo = customer_dm(client, "42", "Ana", "Hi!")
    client.force_login(owner.user)
    assert _listed(client, unread="1") == [convo.pk]

    client.get(reverse("inbox_conversation", args=["acme", convo.pk]))

    assert _listed(client, unread="1") == []
    assert _listed(client) == [convo.pk]
    client.force_login(editor)
    assert _listed(client, unread="1") == [convo.pk]  # the owner reading it changes nothing here

    customer_dm(client, "42", "Ana", "Are you there?")

    client.force_login(owner.user)
    assert _listed(client, unread="1") == [convo.pk]


def test_mark_unread_brings_the_thread_back_for_that_person_only(
    client, owner, make_member, workspace, x_account
):
    viewer = make_member(workspace, Role.VIEWER)
    convo = _conversation(x_account)
    for user in (owner.user, viewer):
        client.force_login(user)
        client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
        assert _listed(client, unread="1") == []

    response = client.post(reverse("inbox_unread", args=["acme", convo.pk]))  # the viewer

    assert response.status_code == 302
    assert _listed(client, unread="1") == [convo.pk]
    client.force_login(owner.user)
    assert _listed(client, unread="1") == []


def test_the_list_marks_unread_rows(owner_client, x_account):
    convo = _conversation(x_account)
    html = owner_client.get(reverse("inbox", args=["acme"])).content.decode()
    assert 'class="convo convo--unread' in html
    owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    html = owner_client.get(reverse("inbox", args=["acme"])).content.decode()
    assert "convo--unread" not in html


# --- filters and search ---------------------------------------------------------------------


@pytest.fixture
def many(owner, make_member, workspace, x_account, facebook_account):
    """Conversations that differ in one property each."""
    editor = make_member(workspace, Role.EDITOR)
    label = Label.objects.create(workspace=workspace, name="Wholesale")
    mine = _conversation(x_account, "Ana Lima", "Where is my parcel?", assignee=owner.user)
    theirs = _conversation(x_account, "Bruno Costa", "Do you sell gift cards?", assignee=editor)
    labelled = _conversation(facebook_account, "Carla Dias", "Bulk order of 40 bags")
    labelled.labels.add(label)
    pending = _conversation(facebook_account, "Duarte Reis", "Refund please", status="pending")
    return {
        "mine": mine,
        "theirs": theirs,
        "labelled": labelled,
        "pending": pending,
        "editor": editor,
        "label": label,
    }


def _ids_of(many, *names):
    return sorted(many[name].pk for name in names)


def test_filters_narrow_the_list(owner_client, many, x_account, facebook_account):
    def listed(**params):
        return sorted(_listed(owner_client, **params))

    assert listed() == _ids_of(many, "mine", "theirs", "labelled")  # open by default
    assert listed(status="") == _ids_of(many, "mine", "theirs", "labelled", "pending")
    assert listed(status="pending") == _ids_of(many, "pending")
    assert listed(account=x_account.pk) == _ids_of(many, "mine", "theirs")
    assert listed(platform="facebook", status="") == _ids_of(many, "labelled", "pending")
    assert listed(assignee="me") == _ids_of(many, "mine")
    assert listed(assignee="none") == _ids_of(many, "labelled")
    assert listed(assignee=str(many["editor"].pk)) == _ids_of(many, "theirs")
    assert listed(label=many["label"].pk) == _ids_of(many, "labelled")
    owner_client.get(reverse("inbox_conversation", args=["acme", many["mine"].pk]))
    assert listed(unread="1") == _ids_of(many, "theirs", "labelled")


def test_search_finds_words_in_messages_and_participant_names(owner_client, many):
    def found(q):
        return sorted(_listed(owner_client, q=q, status=""))

    assert found("parcel") == _ids_of(many, "mine")
    assert found("gift cards") == _ids_of(many, "theirs")
    assert found("Bulk bags") == _ids_of(many, "labelled")  # words, not a phrase
    assert found("Duarte") == _ids_of(many, "pending")
    assert found("Costa") == _ids_of(many, "theirs")
    assert found("submarine") == []


def test_search_reaches_older_messages_of_a_thread(owner_client, many, x_account):
    Message.objects.create(
        conversation=many["theirs"],
        account=x_account,
        direction=Message.Direction.INBOUND,
        text="Also: is the espresso machine back in stock?",
    )
    assert _listed(owner_client, q="espresso") == [many["theirs"].pk]


def test_search_and_filters_stay_inside_the_workspace(owner_client, many, make_member):
    other = WorkspaceFactory(slug="other")
    account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id=X_ID, display_name="Other on X"
    )
    foreign = _conversation(account, "Ana Lima", "Where is my parcel?")
    Label.objects.create(workspace=other, name="Wholesale")

    assert _listed(owner_client, q="parcel") == [many["mine"].pk]
    assert _listed(owner_client, q="Ana") == [many["mine"].pk]
    assert foreign.pk not in _listed(owner_client, status="", account=account.pk)
    assert _listed(owner_client, status="", account=account.pk) == []


# --- live updates ---------------------------------------------------------------------------


def test_list_updates_answer_204_until_something_changes(client, owner, x_account):
    client.force_login(owner.user)
    since = client.get(reverse("inbox", args=["acme"])).context["since"]
    url = reverse("inbox_updates", args=["acme"])

    assert client.get(url, {"since": since}).status_code == 204

    customer_dm(client, "77", "Eva Nunes", "First time here")

    response = client.get(url, {"since": since})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eva Nunes" in html
    assert "First time here" in html
    later = response.context["since"]
    assert client.get(url, {"since": later}).status_code == 204


def test_list_updates_ignore_changes_in_other_workspaces(client, owner, x_account):
    client.force_login(owner.user)
    since = client.get(reverse("inbox", args=["acme"])).context["since"]
    other = WorkspaceFactory()
    account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="elsewhere", display_name="Elsewhere"
    )
    _conversation(account, "Somebody Else")
    assert client.get(reverse("inbox_updates", args=["acme"]), {"since": since}).status_code == 204


def test_thread_updates_answer_204_until_a_new_message_arrives(client, owner, x_account):
    convo = customer_dm(client, "42", "Ana", "Hello")
    client.force_login(owner.user)
    version = client.get(reverse("inbox_conversation", args=["acme", convo.pk])).context["version"]
    url = reverse("inbox_thread", args=["acme", convo.pk])

    assert client.get(url, {"v": version}).status_code == 204

    customer_dm(client, "42", "Ana", "Anyone there?")

    response = client.get(url, {"v": version})
    assert response.status_code == 200
    assert "Anyone there?" in response.content.decode()
    assert client.get(url, {"v": response.context["version"]}).status_code == 204


@pytest.mark.parametrize("value", ["2000-01-01T00:00:00", "2026-13-45T00:00:00", "yesterday"])
@pytest.mark.parametrize(("name", "param"), [("inbox_updates", "since"), ("inbox_thread", "v")])
def test_live_updates_survive_a_hand_edited_since(client, owner, x_account, name, param, value):
    """A value without time zone, an impossible date or no date at all is not our page's,
    but must not be a server error."""
    convo = _conversation(x_account, text="Hello")
    client.force_login(owner.user)
    args = ["acme", convo.pk] if name == "inbox_thread" else ["acme"]
    response = client.get(reverse(name, args=args), {param: value})
    assert response.status_code in (200, 204, 400)


# --- query counts ---------------------------------------------------------------------------


def _fill(workspace, account, conversations, messages):
    label = Label.objects.create(workspace=workspace, name=f"L{conversations}")
    first = None
    for n in range(conversations):
        convo = _conversation(account, f"Person {n}", f"Message {n}", assignee=workspace.owner)
        convo.labels.add(label)
        first = first or convo
    for n in range(messages - 1):
        Message.objects.create(
            conversation=first,
            account=account,
            direction=Message.Direction.OUTBOUND if n % 2 else Message.Direction.NOTE,
            author=workspace.owner,
            sender_name="Owner",
            text=f"Answer {n}",
            status=Message.Status.SENT,
        )
    return first


def _queries(client, url):
    client.get(url)  # warm up the session and the membership lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_inbox_pages_make_as_many_queries_for_40_conversations_as_for_3(client, make_member):
    counts = {}
    for size in (3, 40):
        workspace = WorkspaceFactory(slug=f"size-{size}")
        workspace.owner = make_member(workspace, Role.OWNER)
        account = ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id=f"q{size}", display_name="Q"
        )
        first = _fill(workspace, account, size, size)
        assert first.messages.count() == size
        client.force_login(workspace.owner)
        counts[size] = (
            _queries(client, reverse("inbox", args=[workspace.slug])),
            _queries(client, reverse("inbox_conversation", args=[workspace.slug, first.pk])),
            _queries(
                client,
                reverse("inbox_thread", args=[workspace.slug, first.pk])
                + "?v=2000-01-01T00:00:00%2B00:00",
            ),
        )
    assert counts[3] == counts[40]
