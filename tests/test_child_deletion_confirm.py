"""Support's "delete account reported as a child's" action shows what it deletes and does
nothing until the confirmation is ticked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User, Workspace
from accounts.roles import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture
def support(db):
    staff = UserFactory(is_staff=True, email="support@mixora.test")
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "erase_child_account"])
    )
    return staff


@pytest.fixture
def child(db):
    child = UserFactory(email="kid@example.test", full_name="Kid Example")
    MembershipFactory(
        workspace=WorkspaceFactory(name="Kid space", slug="kid-space"), user=child, role=Role.OWNER
    )
    MembershipFactory(
        workspace=WorkspaceFactory(name="Family team", slug="family"), user=child, role=Role.EDITOR
    )
    return child


def _act(client, users, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": "delete_child_accounts", "_selected_action": [u.pk for u in users], **extra},
        follow=True,
    )


def _still_there(child) -> bool:
    return User.objects.filter(pk=child.pk, is_active=True, email=child.email).exists()


def test_the_action_first_shows_the_account_and_what_goes_with_it(client, support, child):
    client.force_login(support)
    response = _act(client, [child])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete accounts reported as a child" in page
    assert "kid@example.test" in page
    assert "Kid Example" in page
    deleted = page.split("Workspaces deleted with it", 1)[1].split("Shared workspaces", 1)[0]
    assert "Kid space" in deleted
    assert "Family team" not in deleted
    assert "Family team" in page.split("Shared workspaces it leaves", 1)[1]
    assert 'name="confirm" required' in page
    assert _still_there(child)
    assert Workspace.objects.filter(slug="kid-space").exists()


def test_without_the_confirmation_nothing_happens(client, support, child):
    client.force_login(support)
    response = _act(client, [child], confirm_child_deletion="Delete 1 account now")
    assert response.status_code == 200
    assert "Tick the box to confirm: nothing has been deleted." in response.content.decode()
    assert _still_there(child)
    assert Workspace.objects.filter(slug="kid-space").exists()


def test_confirmed_the_account_and_its_own_workspace_go(client, support, child):
    client.force_login(support)
    response = _act(client, [child], confirm_child_deletion="Delete", confirm="on")
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    assert "Deleted kid@example.test and everything it held." in response.content.decode()
    assert not User.objects.filter(pk=child.pk).exists()
    assert not Workspace.objects.filter(slug="kid-space").exists()
    assert Workspace.objects.filter(slug="family").exists()


def test_a_sole_owner_with_teammates_is_flagged_and_refused(client, support, child):
    team = Workspace.objects.get(slug="family")
    team.memberships.filter(user=child).update(role=Role.OWNER)
    MembershipFactory(workspace=team, role=Role.EDITOR)
    client.force_login(support)
    page = _act(client, [child]).content.decode()
    assert "Can't be deleted yet" in page
    assert "Family team" in page
    response = _act(client, [child], confirm_child_deletion="Delete", confirm="on")
    assert "make one of them owner first" in response.content.decode()
    assert _still_there(child)


def test_staff_accounts_are_left_out(client, support, child):
    colleague = UserFactory(is_staff=True, email="colleague@mixora.test")
    client.force_login(support)
    page = _act(client, [child, colleague]).content.decode()
    assert "left out: colleague@mixora.test" in page
    response = _act(client, [colleague])
    assert "Staff accounts are not deleted this way." in response.content.decode()
    _act(client, [child, colleague], confirm_child_deletion="Delete", confirm="on")
    assert User.objects.filter(pk=colleague.pk, is_active=True).exists()
    assert not User.objects.filter(pk=child.pk).exists()


def test_support_without_the_permission_cannot_reach_the_confirmation(client, child):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)
    response = _act(client, [child], confirm_child_deletion="Delete", confirm="on")
    assert "Delete accounts reported as a child" not in response.content.decode()
    assert _still_there(child)
