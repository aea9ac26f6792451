"""Deleting a workspace: its owner confirms by typing its name; members lose it at once,
platform grants are revoked and inbox data deleted; the rest is purged after the grace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts import deletion
from accounts.models import Workspace
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from inbox.models import Conversation, Message
from publishing.models import Media, Post
from tests.deletion.test_account_deletion import _log_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _inbox_thread(account: ConnectedAccount) -> Conversation:
    conversation = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind="message",
        thread_key="p1",
        participant_id="p1",
    )
    Message.objects.create(
        conversation=conversation, account=account, direction="inbound", text="hi", external_id="m1"
    )
    return conversation


def test_owner_deletes_the_workspace_and_everyone_loses_it(
    client, accounts, workspace, owner, upload, emulator
):
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    _inbox_thread(accounts["facebook"])
    image = upload()
    post = Post.objects.create(workspace=workspace, author=owner.user, text="Hello")
    _log_in(client, owner.user)

    wrong = client.post(reverse("workspace_delete", args=["acme"]), {"confirm": "acme"})
    assert wrong.status_code == 400
    assert Workspace.objects.get(pk=workspace.pk).deleted_at is None

    response = client.post(reverse("workspace_delete", args=["acme"]), {"confirm": "Acme"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.deleted_at is not None
    assert not workspace.memberships.exists()
    assert not Conversation.objects.filter(workspace=workspace).exists()
    assert set(workspace.connected_accounts.values_list("status", flat=True)) == {"revoked"}
    assert AuditEvent.objects.filter(action=AuditAction.WORKSPACE_DELETED).exists()
    client.force_login(editor)
    assert client.get(reverse("workspace_dashboard", args=["acme"])).status_code == 404

    # Purged after the grace period, library files included.
    assert deletion.purge_due_workspaces(now=timezone.now() + timedelta(days=29)) == 0
    assert deletion.purge_due_workspaces(now=timezone.now() + timedelta(days=31)) == 1
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Media.objects.filter(pk=image.pk).exists()
    assert not default_storage.exists(image.file.name)


def test_only_the_owner_may_delete_a_workspace(client, workspace, owner):
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    client.force_login(admin)
    response = client.post(reverse("workspace_delete", args=["acme"]), {"confirm": "Acme"})
    assert response.status_code == 403
    assert Workspace.objects.get(pk=workspace.pk).deleted_at is None
