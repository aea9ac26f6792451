"""Who may do what in the inbox, that a refused request changes nothing, and that one
workspace's conversations are unreachable through another's URLs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox.models import Conversation, Label, Message, ReadMark, SavedReply
from notifications.models import Notification
from tests.factories import WorkspaceFactory

ALL_ROLES = list(Role.values)
REPLIERS = {Role.OWNER, Role.ADMIN, Role.EDITOR, Role.APPROVER}
MANAGERS = {Role.OWNER, Role.ADMIN}


def _thread(workspace, slug_tag=""):
    """A Messenger thread in its standard window, with a failed reply waiting for a retry."""
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id=f"page{slug_tag}",
        display_name=f"Page {slug_tag}",
        scopes=["pages_messaging", "pages_manage_engagement"],
    )
    convo = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind="message",
        thread_key="psid-1",
        participant_id="psid-1",
        participant_name="Ana Lima",
        last_inbound_at=timezone.now() - timedelta(minutes=5),
    )
    Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.INBOUND,
        external_id=f"m{slug_tag}",
        text="Is it in stock?",
    )
    failed = Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.OUTBOUND,
        text="Yes!",
        status=Message.Status.FAILED,
        error="Facebook had a temporary problem.",
    )
    return convo, failed


@pytest.fixture
def team(workspace, owner, make_member):
    """A workspace with a thread and a member of every role."""
    convo, failed = _thread(workspace)
    members = {role: make_member(workspace, role) for role in ALL_ROLES}
    label = Label.objects.create(workspace=workspace, name="Urgent")
    return {"convo": convo, "failed": failed, "members": members, "label": label}


def _state(convo):
    """Everything a team action could change, as plain data."""
    convo = Conversation.objects.get(pk=convo.pk)
    return {
        "conversation": (convo.status, convo.snoozed_until, convo.assignee_id, convo.updated_at),
        "labels": sorted(convo.labels.values_list("pk", flat=True)),
        "messages": sorted(
            Message.objects.filter(conversation=convo).values_list("pk", "status", "text")
        ),
        "notifications": Notification.objects.count(),
    }


def _actions(team):
    convo, failed = team["convo"], team["failed"]
    editor = team["members"][Role.EDITOR]
    args = ["acme", convo.pk]
    return {
        "reply": (reverse("inbox_reply", args=args), {"text": "A reply"}),
        "note": (reverse("inbox_note", args=args), {"text": "A note"}),
        "assign": (reverse("inbox_assign", args=args), {"assignee": editor.pk}),
        "status": (reverse("inbox_status", args=args), {"status": "resolved"}),
        "labels": (reverse("inbox_labels", args=args), {"labels": [team["label"].pk]}),
        "retry": (reverse("inbox_retry", args=["acme", failed.pk]), {}),
        "delete": (reverse("inbox_delete", args=args), {}),
    }


def test_viewer_can_read_the_inbox_and_a_conversation(client, team):
    client.force_login(team["members"][Role.VIEWER])

    listing = client.get(reverse("inbox", args=["acme"]))
    page = client.get(reverse("inbox_conversation", args=["acme", team["convo"].pk]))

    assert listing.status_code == page.status_code == 200
    assert "Ana Lima" in listing.content.decode()
    html = page.content.decode()
    assert "Is it in stock?" in html
    assert "Viewers can read the inbox" in html
    for name in ("inbox_reply", "inbox_note", "inbox_assign", "inbox_delete"):
        assert reverse(name, args=["acme", team["convo"].pk]) not in html
    assert reverse("inbox_retry", args=["acme", team["failed"].pk]) not in html


@pytest.mark.parametrize(
    "action", ["reply", "note", "assign", "status", "labels", "retry", "delete"]
)
def test_viewer_is_refused_every_change_and_nothing_changes(client, team, action):
    client.force_login(team["members"][Role.VIEWER])
    url, data = _actions(team)[action]
    before = _state(team["convo"])

    response = client.post(url, data)

    assert response.status_code == 403
    assert _state(team["convo"]) == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER])
def test_editors_and_approvers_reply_and_assign(client, team, role):
    member = team["members"][role]
    client.force_login(member)
    actions = _actions(team)

    reply = client.post(*actions["reply"])
    assign = client.post(
        reverse("inbox_assign", args=["acme", team["convo"].pk]), {"assignee": member.pk}
    )

    assert reply.status_code == assign.status_code == 302
    sent = Message.objects.filter(direction=Message.Direction.OUTBOUND, text="A reply").get()
    assert (sent.author, sent.status) == (member, Message.Status.SENDING)
    team["convo"].refresh_from_db()
    assert team["convo"].assignee == member


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_owners_and_admins_delete_threads(client, team, role):
    client.force_login(team["members"][role])
    url = reverse("inbox_delete", args=["acme", team["convo"].pk])

    page = client.get(url)
    response = client.post(url)

    exists = Conversation.objects.filter(pk=team["convo"].pk).exists()
    if role in MANAGERS:
        assert (page.status_code, response.status_code, exists) == (200, 302, False)
    else:
        assert (page.status_code, response.status_code, exists) == (403, 403, True)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_owners_and_admins_change_retention(client, team, workspace, role):
    client.force_login(team["members"][role])
    url = reverse("inbox_settings", args=["acme"])

    page = client.get(url)
    response = client.post(url, {"inbox_retention_days": "90"})

    workspace.refresh_from_db()
    assert page.status_code == 200
    if role in MANAGERS:
        assert response.status_code == 302
        assert workspace.inbox_retention_days == 90
    else:
        assert response.status_code == 403
        assert workspace.inbox_retention_days is None
        assert 'name="inbox_retention_days"' not in page.content.decode()


@pytest.mark.parametrize("role", sorted(REPLIERS))
def test_every_team_role_may_retry_a_failed_reply(client, team, role):
    client.force_login(team["members"][role])
    response = client.post(reverse("inbox_retry", args=["acme", team["failed"].pk]))
    assert response.status_code == 302
    team["failed"].refresh_from_db()
    assert team["failed"].status == Message.Status.SENDING


# --- tenancy --------------------------------------------------------------------------------


@pytest.fixture
def foreign(make_member):
    """Another workspace's thread, failed reply, label and saved reply."""
    other = WorkspaceFactory(slug="other")
    make_member(other, Role.OWNER)
    convo, failed = _thread(other, "-other")
    return {
        "convo": convo,
        "failed": failed,
        "label": Label.objects.create(workspace=other, name="Theirs"),
        "saved": SavedReply.objects.create(workspace=other, title="Theirs", text="Hi"),
    }


def _foreign_state(foreign):
    return {
        **_state(foreign["convo"]),
        "read_marks": ReadMark.objects.filter(conversation=foreign["convo"]).count(),
        "label": Label.objects.filter(pk=foreign["label"].pk).exists(),
        "saved": SavedReply.objects.filter(pk=foreign["saved"].pk).exists(),
    }


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR, Role.VIEWER])
def test_another_workspaces_ids_give_404_through_our_own_urls(client, team, foreign, role):
    client.force_login(team["members"][role])
    pk = foreign["convo"].pk
    urls = [
        reverse(name, args=["acme", pk])
        for name in (
            "inbox_conversation",
            "inbox_thread",
            "inbox_reply",
            "inbox_note",
            "inbox_assign",
            "inbox_status",
            "inbox_labels",
            "inbox_unread",
            "inbox_delete",
        )
    ]
    urls += [
        reverse("inbox_retry", args=["acme", foreign["failed"].pk]),
        reverse("inbox_label_delete", args=["acme", foreign["label"].pk]),
        reverse("inbox_saved_reply_delete", args=["acme", foreign["saved"].pk]),
    ]
    data = {"text": "x", "assignee": team["members"][Role.EDITOR].pk, "status": "resolved"}
    before = _foreign_state(foreign)

    for url in urls:
        get, post = client.get(url), client.post(url, data)
        allowed = (404, 403, 405)  # a role without the capability is stopped even earlier
        assert get.status_code in allowed, f"GET {url} -> {get.status_code}"
        assert post.status_code in allowed, f"POST {url} -> {post.status_code}"
        if role == Role.OWNER:  # the owner may do everything: only the ids stop it
            # Pages answer GET only, actions POST only (405 for the other method).
            assert 404 in (get.status_code, post.status_code), url

    assert _foreign_state(foreign) == before


def test_the_inbox_lists_only_this_workspaces_conversations(client, team, foreign):
    client.force_login(team["members"][Role.OWNER])
    response = client.get(reverse("inbox", args=["acme"]), {"status": ""})
    assert [c.pk for c in response.context["rows"]] == [team["convo"].pk]
    assert foreign["convo"].pk not in [c.pk for c in response.context["rows"]]


# --- CSRF -----------------------------------------------------------------------------------


def test_reply_without_a_csrf_token_is_refused(team):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(team["members"][Role.EDITOR])

    response = csrf_client.post(
        reverse("inbox_reply", args=["acme", team["convo"].pk]), {"text": "Forged"}
    )

    assert response.status_code == 403
    assert not Message.objects.filter(text="Forged").exists()


def test_reply_with_the_pages_csrf_token_is_accepted(team):
    """The control for the refusal above."""
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(team["members"][Role.EDITOR])
    page = csrf_client.get(reverse("inbox_conversation", args=["acme", team["convo"].pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

    response = csrf_client.post(
        reverse("inbox_reply", args=["acme", team["convo"].pk]),
        {"text": "Genuine", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Message.objects.filter(text="Genuine", status=Message.Status.SENDING).exists()
