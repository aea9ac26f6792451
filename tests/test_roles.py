"""Roles: who may do what in a workspace, and that a refused request changes nothing."""

from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts import invitations, members
from accounts.models import Invitation, Membership, Workspace
from accounts.roles import ROLE_CAPABILITIES, Capability, Role, assignable_roles, role_can
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from tests.factories import WorkspaceFactory
from tests.snapshots import workspace_snapshot
from tests.workspace_urls import fill, inbox_objects, publishing_objects, workspace_routes

ALL_ROLES = list(Role.values)
MANAGERS = {Role.OWNER, Role.ADMIN}
OWNERS = {Role.OWNER}


@dataclass
class Team:
    workspace: Workspace
    actor: object
    actor_membership: Membership
    target: Membership
    invitation: Invitation
    account: ConnectedAccount


@pytest.fixture
def team_for(db, make_member):
    """team_for(role): a workspace with an owner, an editor to act on, a pending invitation
    and an acting member with `role` (a second owner when role is owner)."""

    def build(role):
        workspace = WorkspaceFactory(name="Roles Inc", slug="roles-inc")
        owner = make_member(workspace, Role.OWNER, email="first-owner@example.test")
        target_user = make_member(workspace, Role.EDITOR, email="target@example.test")
        actor = make_member(workspace, role, email=f"actor-{role}@example.test")
        invitation = Invitation.objects.create(
            workspace=workspace, email="pending@example.test", role=Role.VIEWER, invited_by=owner
        )
        return Team(
            workspace=workspace,
            actor=actor,
            actor_membership=Membership.objects.get(workspace=workspace, user=actor),
            target=Membership.objects.get(workspace=workspace, user=target_user),
            invitation=invitation,
            account=ConnectedAccount.objects.create(
                workspace=workspace, platform="x", external_id="1", display_name="Roles on X"
            ),
        )

    return build


def _invite(team):
    return (
        "post",
        reverse("workspace_members", args=[team.workspace.slug]),
        {
            "email": "newcomer@example.test",
            "role": Role.EDITOR,
        },
    )


def _change_role(team):
    url = reverse("member_change_role", args=[team.workspace.slug, team.target.pk])
    return "post", url, {"role": Role.VIEWER}


def _remove(team):
    return "post", reverse("member_remove", args=[team.workspace.slug, team.target.pk]), {}


def _transfer(team):
    return "post", reverse("member_transfer", args=[team.workspace.slug, team.target.pk]), {}


def _revoke(team):
    url = reverse("invitation_revoke", args=[team.workspace.slug, team.invitation.pk])
    return "post", url, {}


def _settings_post(team):
    url = reverse("workspace_settings", args=[team.workspace.slug])
    return "post", url, {"name": "Renamed Inc", "timezone": "Asia/Tokyo"}


def _settings_get(team):
    return "get", reverse("workspace_settings", args=[team.workspace.slug]), {}


def _audit_get(team):
    return "get", reverse("workspace_audit", args=[team.workspace.slug]), {}


def _invited(team):
    assert Invitation.objects.filter(
        workspace=team.workspace, email="newcomer@example.test", role=Role.EDITOR
    ).exists()
    assert len(mail.outbox) == 1


def _role_changed(team):
    team.target.refresh_from_db()
    assert team.target.role == Role.VIEWER


def _removed(team):
    assert not Membership.objects.filter(pk=team.target.pk).exists()


def _transferred(team):
    team.target.refresh_from_db()
    team.actor_membership.refresh_from_db()
    assert team.target.role == Role.OWNER
    assert team.actor_membership.role == Role.ADMIN


def _revoked(team):
    assert not Invitation.objects.filter(pk=team.invitation.pk).exists()


def _renamed(team):
    team.workspace.refresh_from_db()
    assert (team.workspace.name, team.workspace.timezone) == ("Renamed Inc", "Asia/Tokyo")


def _nothing(team):
    pass


# name: (request builder, roles allowed, status when allowed, check of the effect)
ACTIONS = {
    "invite": (_invite, MANAGERS, 302, _invited),
    "change_role": (_change_role, MANAGERS, 302, _role_changed),
    "remove_member": (_remove, MANAGERS, 302, _removed),
    "transfer_ownership": (_transfer, OWNERS, 302, _transferred),
    "revoke_invitation": (_revoke, MANAGERS, 302, _revoked),
    "settings_post": (_settings_post, MANAGERS, 302, _renamed),
    "settings_get": (_settings_get, MANAGERS, 200, _nothing),
    "audit_get": (_audit_get, MANAGERS, 200, _nothing),
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_allowed_roles_may_act_and_refusals_change_nothing(client, team_for, action, role):
    build, allowed, ok_status, effect = ACTIONS[action]
    team = team_for(role)
    client.force_login(team.actor)
    method, url, data = build(team)
    before = workspace_snapshot(team.workspace)

    response = getattr(client, method)(url, data)

    if role in allowed:
        assert response.status_code == ok_status, response.content[:500]
        effect(team)
        if response.status_code == 302:
            messages = [m.level_tag for m in get_messages(response.wsgi_request)]
            assert messages == ["success"]
    else:
        assert response.status_code == 403
        assert "Your role in this workspace does not allow this" in response.content.decode()
        assert workspace_snapshot(team.workspace) == before


def _workspace_urls(team):
    objects = {
        "membership": team.target,
        "invitation": team.invitation,
        "account": team.account,
        **publishing_objects(team.workspace, team.account),
        **inbox_objects(team.workspace, team.account),
    }
    for route, pattern in workspace_routes():
        yield fill(route, team.workspace.slug, objects), pattern


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_workspace_url_refuses_roles_without_its_capability(client, team_for, role):
    """Walks every /w/ URL: a GET is 403 exactly when the role lacks the view's capability."""
    team = team_for(role)
    client.force_login(team.actor)
    urls = list(_workspace_urls(team))  # creates the objects the URLs point at
    before = workspace_snapshot(team.workspace)
    checked = 0
    for url, pattern in urls:
        response = client.get(url)
        if role_can(role, pattern.callback.workspace_capability):
            assert response.status_code in (200, 302, 405), f"{role} GET {url}"
        else:
            assert response.status_code == 403, f"{role} GET {url}"
        checked += 1
    assert checked >= 9
    assert workspace_snapshot(team.workspace) == before


def test_viewer_posting_to_any_url_above_view_gets_403(client, team_for):
    team = team_for(Role.VIEWER)
    client.force_login(team.actor)
    urls = list(_workspace_urls(team))  # creates the objects the URLs point at
    before = workspace_snapshot(team.workspace)
    refused = []
    for url, pattern in urls:
        if pattern.name in ("workspace_leave", "inbox_unread"):
            continue  # a viewer may leave, and mark a thread unread for themselves
        response = client.post(
            url,
            {
                "role": Role.OWNER,
                "email": "x@example.test",
                "name": "X",
                "body": "A comment",
                "text": "Posted by a viewer",
            },
        )
        # Read-only pages refuse any POST (405); every page that changes something, 403.
        read_only = pattern.callback.workspace_capability == Capability.VIEW
        allowed = (403, 405) if read_only else (403,)
        assert response.status_code in allowed, f"viewer POST {url} -> {response.status_code}"
        refused.append(pattern.name)
    assert "workspace_members" in refused  # the invite form: readable by all, writable by admins
    assert workspace_snapshot(team.workspace) == before


def test_viewer_may_read_the_member_list_but_sees_no_management_forms(client, team_for):
    team = team_for(Role.VIEWER)
    client.force_login(team.actor)
    response = client.get(reverse("workspace_members", args=[team.workspace.slug]))
    assert response.status_code == 200
    assert b'id="invite-form"' not in response.content
    assert b"/role/" not in response.content
    assert b"/remove/" not in response.content


# --- role_can / assignable_roles --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "capability", "expected"),
    [
        (Role.OWNER, Capability.TRANSFER_OWNERSHIP, True),
        (Role.OWNER, Capability.DELETE_WORKSPACE, True),
        (Role.OWNER, Capability.MANAGE_BILLING, True),
        (Role.ADMIN, Capability.TRANSFER_OWNERSHIP, False),
        (Role.ADMIN, Capability.DELETE_WORKSPACE, False),
        (Role.ADMIN, Capability.MANAGE_BILLING, False),
        (Role.ADMIN, Capability.MANAGE_MEMBERS, True),
        (Role.ADMIN, Capability.MANAGE_SETTINGS, True),
        (Role.ADMIN, Capability.VIEW_AUDIT, True),
        (Role.EDITOR, Capability.COMPOSE, True),
        (Role.EDITOR, Capability.APPROVE, False),
        (Role.EDITOR, Capability.MANAGE_MEMBERS, False),
        (Role.APPROVER, Capability.APPROVE, True),
        (Role.APPROVER, Capability.COMPOSE, False),
        (Role.APPROVER, Capability.VIEW_AUDIT, False),
        (Role.VIEWER, Capability.VIEW, True),
        (Role.VIEWER, Capability.COMPOSE, False),
        (Role.VIEWER, Capability.MANAGE_SETTINGS, False),
    ],
)
def test_role_can_answers_per_role(role, capability, expected):
    assert role_can(role, capability) is expected


def test_every_role_can_view_and_only_owner_and_admin_manage():
    for role in Role.values:
        assert role_can(role, Capability.VIEW)
        for capability in (
            Capability.MANAGE_MEMBERS,
            Capability.MANAGE_SETTINGS,
            Capability.VIEW_AUDIT,
        ):
            assert role_can(role, capability) is (role in MANAGERS)
        assert role_can(role, Capability.TRANSFER_OWNERSHIP) is (role == Role.OWNER)


def test_owner_capabilities_are_a_superset_of_every_other_role():
    for role in Role.values:
        assert ROLE_CAPABILITIES[role] <= ROLE_CAPABILITIES[Role.OWNER]


def test_unknown_role_can_do_nothing():
    for capability in Capability:
        assert not role_can("superuser", capability)
        assert not role_can("", capability)


def test_owners_can_assign_every_role():
    assert set(assignable_roles(Role.OWNER)) == set(Role.values)


def test_admins_can_assign_every_role_but_owner():
    assert set(assignable_roles(Role.ADMIN)) == set(Role.values) - {Role.OWNER}


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.VIEWER, "unknown"])
def test_other_roles_can_assign_nothing(role):
    assert assignable_roles(role) == []


# --- admins cannot create owners, through any door --------------------------------------


def _request_as(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_admin_cannot_invite_an_owner(client, team_for):
    team = team_for(Role.ADMIN)
    client.force_login(team.actor)
    before = workspace_snapshot(team.workspace)

    response = client.post(
        reverse("workspace_members", args=[team.workspace.slug]),
        {"email": "boss@example.test", "role": Role.OWNER},
    )

    assert response.status_code == 400
    assert "role" in response.context["invite_form"].errors
    assert workspace_snapshot(team.workspace) == before
    with pytest.raises(UserFacingError):
        invitations.invite(
            team.actor_membership, "boss@example.test", Role.OWNER, _request_as(team.actor)
        )
    assert workspace_snapshot(team.workspace) == before


def test_admin_cannot_promote_anyone_to_owner(client, team_for):
    team = team_for(Role.ADMIN)
    client.force_login(team.actor)
    before = workspace_snapshot(team.workspace)

    response = client.post(
        reverse("member_change_role", args=[team.workspace.slug, team.target.pk]),
        {"role": Role.OWNER},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Choose a role you are allowed to give."
    ]
    assert workspace_snapshot(team.workspace) == before
    with pytest.raises(UserFacingError, match="cannot give that role"):
        members.change_role(team.actor_membership, team.target, Role.OWNER, _request_as(team.actor))
    with pytest.raises(UserFacingError, match="cannot give that role"):
        members.change_role(
            team.actor_membership, team.actor_membership, Role.OWNER, _request_as(team.actor)
        )
    assert workspace_snapshot(team.workspace) == before


def test_owner_can_make_another_owner(client, team_for):
    team = team_for(Role.OWNER)
    client.force_login(team.actor)
    response = client.post(
        reverse("member_change_role", args=[team.workspace.slug, team.target.pk]),
        {"role": Role.OWNER},
    )
    assert response.status_code == 302
    team.target.refresh_from_db()
    assert team.target.role == Role.OWNER


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.VIEWER])
def test_services_refuse_non_managers_even_when_called_directly(team_for, role):
    team = team_for(role)
    before = workspace_snapshot(team.workspace)
    request = _request_as(team.actor)
    with pytest.raises(UserFacingError):
        members.change_role(team.actor_membership, team.target, Role.VIEWER, request)
    with pytest.raises(UserFacingError):
        members.remove_member(team.actor_membership, team.target, request)
    with pytest.raises(UserFacingError):
        members.transfer_ownership(team.actor_membership, team.target, request)
    with pytest.raises(UserFacingError):
        invitations.invite(team.actor_membership, "x@example.test", Role.VIEWER, request)
    assert workspace_snapshot(team.workspace) == before
