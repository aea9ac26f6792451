"""Deleting inbox data for good: one thread on request, messages past the workspace's retention
period, and everything of an account being disconnected, attachment files included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from inbox import retention, tasks
from inbox.enrich import store_attachment
from inbox.models import Attachment, Conversation, Message, ReadMark
from tests.factories import WorkspaceFactory


def _account(workspace, external_id="x-1", platform="x"):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform=platform, external_id=external_id, display_name="Acme"
    )


def _conversation(account, participant="Ana Lima", ages=(timedelta(0),)):
    """A thread with one customer message per age (how long ago it was sent)."""
    now = timezone.now()
    convo = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind="message",
        thread_key=participant,
        participant_id=participant,
        participant_name=participant,
        last_message_at=now - min(ages),
        last_inbound_at=now - min(ages),
    )
    for n, age in enumerate(ages):
        Message.objects.create(
            conversation=convo,
            account=account,
            direction=Message.Direction.INBOUND,
            external_id=f"{participant}-{n}",
            text=f"Message {n}",
            sent_at=now - age,
        )
    return convo


def _attach(message, name="photo.png"):
    attachment = Attachment(
        message=message,
        conversation=message.conversation,
        kind="image",
        content_type="image/png",
        size=4,
    )
    attachment.file.save(name, ContentFile(b"\x89PNG"), save=True)
    assert default_storage.exists(attachment.file.name)
    return attachment.file.name


# --- deleting one thread --------------------------------------------------------------------


@pytest.fixture
def full_thread(emulator, workspace, owner, make_member):
    """A thread with a reply, a note, two people's read marks and a picture the customer sent,
    copied from the platform's URL into our storage."""
    account = _account(workspace)
    convo = _conversation(account)
    inbound = convo.messages.get()
    Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.OUTBOUND,
        text="Thanks!",
        status=Message.Status.SENT,
        external_id="reply-1",
    )
    Message.objects.create(
        conversation=convo, account=account, direction=Message.Direction.NOTE, text="VIP"
    )
    editor = make_member(workspace, Role.EDITOR)
    for user in (owner.user, editor):
        ReadMark.objects.create(conversation=convo, user=user, read_at=timezone.now())
    attachment = store_attachment(inbound, "image", f"{emulator.url}/_avatars/ana.svg")
    assert attachment is not None
    assert attachment.content_type == "image/svg+xml"
    assert default_storage.exists(attachment.file.name)
    return convo, attachment.file.name


def test_delete_page_says_what_will_go(client, owner, full_thread):
    convo, _ = full_thread
    client.force_login(owner.user)
    response = client.get(reverse("inbox_delete", args=["acme", convo.pk]))
    assert response.status_code == 200
    assert (response.context["count"], response.context["attachments"]) == (3, 1)
    assert Conversation.objects.filter(pk=convo.pk).exists()


def test_deleting_a_thread_removes_everything_of_it_and_its_files(
    client, owner, workspace, full_thread, django_capture_on_commit_callbacks
):
    convo, file_name = full_thread
    other = _conversation(convo.account, "Bruno Costa")
    other_file = _attach(other.messages.get())
    client.force_login(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inbox_delete", args=["acme", convo.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox", args=["acme"])
    assert not Conversation.objects.filter(pk=convo.pk).exists()
    assert not Message.objects.filter(conversation_id=convo.pk).exists()
    assert not ReadMark.objects.filter(conversation_id=convo.pk).exists()
    assert not Attachment.objects.filter(conversation_id=convo.pk).exists()
    assert not default_storage.exists(file_name)
    # Another thread is untouched.
    assert other.messages.count() == 1
    assert default_storage.exists(other_file)
    event = AuditEvent.objects.get(action=AuditAction.INBOX_THREAD_DELETED)
    assert (event.workspace, event.actor) == (workspace, owner.user)
    assert event.details == {"account": "Acme", "messages": 3}


# --- retention ------------------------------------------------------------------------------


DAY = timedelta(days=1)


@pytest.fixture
def aged(workspace):
    """Threads of various ages in a workspace keeping messages for 30 days."""
    Workspace.objects.filter(pk=workspace.pk).update(inbox_retention_days=30)
    workspace.refresh_from_db()
    account = _account(workspace)
    return {
        "workspace": workspace,
        # Five messages past retention, nothing newer: the thread goes.
        "old": _conversation(
            account, "Old", ages=[40 * DAY, 39 * DAY, 35 * DAY, 33 * DAY, 31 * DAY]
        ),
        # Two old, one new: the old ones go, the thread stays.
        "mixed": _conversation(account, "Mixed", ages=[60 * DAY, 45 * DAY, 2 * DAY]),
        "fresh": _conversation(account, "Fresh", ages=[29 * DAY, DAY]),
    }


def _inbox_message_deletes(captured) -> int:
    return sum(q["sql"].startswith('DELETE FROM "inbox_message"') for q in captured)


def test_retention_deletes_only_messages_older_than_the_period_in_batches(
    aged, settings, django_capture_on_commit_callbacks
):
    settings.INBOX_PURGE_BATCH = 2
    old_file = _attach(aged["old"].messages.first(), "old.png")
    mixed_old_file = _attach(aged["mixed"].messages.order_by("sent_at").first(), "mixed.png")
    fresh_file = _attach(aged["fresh"].messages.first(), "fresh.png")

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        removed = retention.purge_workspace(aged["workspace"])

    assert removed == 7
    # Seven old messages, two at a time: four batches (2 + 2 + 2 + 1).
    assert _inbox_message_deletes(captured) == 4
    assert not Conversation.objects.filter(pk=aged["old"].pk).exists()
    assert list(aged["mixed"].messages.values_list("text", flat=True)) == ["Message 2"]
    assert aged["fresh"].messages.count() == 2
    assert not default_storage.exists(old_file)
    assert not default_storage.exists(mixed_old_file)
    assert default_storage.exists(fresh_file)
    # Running it again finds nothing more.
    assert retention.purge_workspace(aged["workspace"]) == 0


def test_retention_keeps_a_recent_internal_note_of_an_old_thread(aged):
    """A note written today is not older than the period: the thread is not empty."""
    old = aged["old"]
    Message.objects.create(
        conversation=old,
        account=old.account,
        direction=Message.Direction.NOTE,
        text="Customer called about this today",
        status=Message.Status.SENT,
    )

    retention.purge_workspace(aged["workspace"])

    assert list(Message.objects.filter(conversation_id=old.pk).values_list("text", flat=True)) == [
        "Customer called about this today"
    ]


def test_workspaces_without_retention_are_left_alone(aged):
    keeper = WorkspaceFactory(slug="keeper")
    ancient = _conversation(_account(keeper, "k-1"), "Ancient", ages=[3000 * DAY])

    assert retention.purge_workspace(keeper) == 0
    assert tasks.purge_expired() == 7  # only the workspace with retention

    assert ancient.messages.count() == 1
    assert Conversation.objects.filter(pk=aged["fresh"].pk).exists()
    assert not Conversation.objects.filter(pk=aged["old"].pk).exists()


# --- the settings page ----------------------------------------------------------------------


def _retention_events():
    return list(
        AuditEvent.objects.filter(action=AuditAction.INBOX_RETENTION_CHANGED)
        .order_by("pk")
        .values_list("details", flat=True)
    )


def test_owner_changes_retention_on_the_settings_page_and_it_is_audited(client, owner, workspace):
    client.force_login(owner.user)
    url = reverse("inbox_settings", args=["acme"])

    response = client.post(url, {"inbox_retention_days": "30"})

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.inbox_retention_days == 30
    assert _retention_events() == [{"days": 30}]
    client.post(url, {"inbox_retention_days": "30"})  # unchanged: nothing to audit
    assert _retention_events() == [{"days": 30}]
    client.post(url, {"inbox_retention_days": ""})
    workspace.refresh_from_db()
    assert workspace.inbox_retention_days is None
    assert _retention_events() == [{"days": 30}, {"days": "keep"}]


def test_a_retention_not_offered_is_refused(client, owner, workspace):
    client.force_login(owner.user)
    response = client.post(reverse("inbox_settings", args=["acme"]), {"inbox_retention_days": "1"})
    assert response.status_code == 400
    workspace.refresh_from_db()
    assert workspace.inbox_retention_days is None
    assert _retention_events() == []


# --- disconnecting an account ---------------------------------------------------------------


def test_disconnecting_an_account_deletes_its_conversations_and_files(
    client, owner, accounts, django_capture_on_commit_callbacks
):
    x, page = accounts["x"], accounts["facebook"]
    gone = [_conversation(x, "Ana"), _conversation(x, "Bruno", ages=[DAY, 0 * DAY])]
    gone_file = _attach(gone[0].messages.get(), "x.png")
    kept = _conversation(page, "Carla")
    kept_file = _attach(kept.messages.get(), "fb.png")
    client.force_login(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("connections_disconnect", args=["acme", x.pk]))

    assert response.status_code == 302
    assert not ConnectedAccount.objects.filter(pk=x.pk).exists()
    assert not Conversation.objects.filter(pk__in=[c.pk for c in gone]).exists()
    assert not Message.objects.filter(account_id=x.pk).exists()
    assert not Attachment.objects.filter(conversation_id__in=[c.pk for c in gone]).exists()
    assert not default_storage.exists(gone_file)
    assert kept.messages.count() == 1
    assert default_storage.exists(kept_file)


def test_attachments_of_a_platform_url_that_fails_are_not_stored(emulator, workspace, settings):
    """The control for store_attachment above: nothing is kept when the fetch fails."""
    settings.PLATFORM_HTTP_TIMEOUT = 2
    convo = _conversation(_account(workspace))
    message = convo.messages.get()
    assert store_attachment(message, "image", f"{emulator.url}/_no_such_file.png") is None
    assert not Attachment.objects.exists()
