"""Deleting an account: gone from the product at once (signed out, anonymised, grants
revoked), purged after the grace period; blocked while the person is a workspace's only
owner; a child's account deleted in one admin action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts import deletion
from accounts.models import Membership, User, Workspace
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing.models import Post
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _log_in(client, user: User) -> None:
    """Log in, then confirm the password again: deletion asks for a recent re-authentication."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def editor(workspace, owner):
    return MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Eve Ed").user


def test_a_sole_owner_is_told_which_workspaces_to_hand_over_first(workspace, owner):
    with pytest.raises(UserFacingError, match="only owner of Acme"):
        deletion.start_account_deletion(owner.user)
    owner.user.refresh_from_db()
    assert owner.user.is_active
    assert Membership.objects.filter(user=owner.user).exists()


def test_the_delete_page_guides_a_sole_owner(client, workspace, owner):
    _log_in(client, owner.user)
    page = client.get(reverse("account_delete"))
    assert page.status_code == 200
    assert b"Transfer ownership" in page.content
    assert reverse("workspace_delete", args=["acme"]).encode() in page.content


def test_deleting_an_account_anonymises_signs_out_and_keeps_shared_content(
    client, workspace, owner, editor, django_capture_on_commit_callbacks
):
    post = Post.objects.create(workspace=workspace, author=editor, text="Team post")
    editor.avatar.save("face.png", ContentFile(b"png"), save=True)
    avatar, address = editor.avatar.name, editor.email
    other_browser = client.__class__()
    _log_in(other_browser, editor)
    _log_in(client, editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_delete"), {"confirm": "DELETE"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_deleted")
    editor.refresh_from_db()
    assert not editor.is_active
    assert editor.full_name == "Deleted user"
    assert editor.email == f"deleted-{editor.pk}@deleted.invalid"
    assert not editor.has_usable_password()
    assert editor.purge_after - editor.deactivated_at == timedelta(days=30)
    assert not Membership.objects.filter(user=editor).exists()
    assert not default_storage.exists(avatar)
    # Signed out everywhere: the other browser's session no longer works.
    assert other_browser.get(reverse("profile")).status_code == 302
    post.refresh_from_db()
    assert post.author_id == editor.pk
    assert "Deleted user" in str(post.author.display_name)
    sent = [m for m in mail.outbox if m.subject == "Your Mixora account is deleted"]
    assert [m.to for m in sent] == [[address]]
    assert "purged by" in sent[0].body
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DELETED, subject_user=editor)


def test_a_wrong_confirmation_changes_nothing(client, workspace, owner, editor):
    _log_in(client, editor)
    response = client.post(reverse("account_delete"), {"confirm": "delete"})
    assert response.status_code == 400
    assert b"Type DELETE" in response.content
    editor.refresh_from_db()
    assert editor.is_active


def test_deletion_asks_for_a_recent_log_in(client, workspace, owner, editor):
    client.force_login(editor)  # a session without a recent authentication
    response = client.post(reverse("account_delete"), {"confirm": "DELETE"})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    editor.refresh_from_db()
    assert editor.is_active


@pytest.mark.django_db(transaction=True)
def test_grants_a_deleted_person_gave_are_revoked_and_the_accounts_kept(
    accounts, workspace, owner, emulator
):
    second = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    assert second
    deletion.start_account_deletion(owner.user)
    x = ConnectedAccount.objects.get(pk=accounts["x"].pk)
    assert x.status == ConnectedAccount.Status.REVOKED
    assert x.access_token == ""
    assert "reconnect" in x.status_reason
    revoked = [r["path"] for r in emulator.requests() if "revoke" in r["path"]]
    assert any("/x-api/2/oauth2/revoke" in path for path in revoked), revoked


def test_purge_after_the_grace_period_removes_the_row_and_keeps_content(workspace, owner, editor):
    post = Post.objects.create(workspace=workspace, author=editor, text="Team post")
    deletion.start_account_deletion(editor)
    assert deletion.purge_due_accounts(now=timezone.now() + timedelta(days=29)) == 0
    assert deletion.purge_due_accounts(now=timezone.now() + timedelta(days=31)) == 1
    assert not User.objects.filter(pk=editor.pk).exists()
    post.refresh_from_db()
    assert post.author is None


def test_a_child_account_is_deleted_in_one_admin_action(client, workspace, owner):
    child = UserFactory(email="kid@example.test")
    own = WorkspaceFactory(name="Kid space", slug="kid-space")
    MembershipFactory(workspace=own, user=child, role=Role.OWNER)
    MembershipFactory(workspace=workspace, user=child, role=Role.EDITOR)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="view_user"),
        Permission.objects.get(codename="erase_child_account"),
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "delete_child_accounts",
            "_selected_action": [child.pk],
            # The confirmation page's answer (tests/test_child_deletion_confirm.py).
            "confirm_child_deletion": "Delete",
            "confirm": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"Deleted kid@example.test" in response.content
    assert not User.objects.filter(pk=child.pk).exists()
    assert not Workspace.objects.filter(pk=own.pk).exists()
    assert Workspace.objects.filter(pk=workspace.pk).exists()


def test_staff_without_the_permission_has_no_child_deletion_action(client):
    child = UserFactory()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_child_accounts", "_selected_action": [child.pk]},
    )
    assert User.objects.filter(pk=child.pk, is_active=True).exists()
