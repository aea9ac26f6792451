"""Managing members: role changes, removal, leaving and ownership transfer."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation, Membership, Workspace
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from tests.factories import WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


def membership(workspace, user):
    return Membership.objects.get(workspace=workspace, user=user)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def state(workspace):
    workspace = Workspace.objects.get(pk=workspace.pk)
    return {
        "workspace": (workspace.name, workspace.timezone),
        "memberships": sorted(
            Membership.objects.filter(workspace=workspace).values_list("pk", "user_id", "role")
        ),
        "audit_events": AuditEvent.objects.filter(workspace=workspace).count(),
    }


def change_role(client, workspace, target, role):
    return client.post(
        reverse("member_change_role", args=[workspace.slug, target.pk]), {"role": role}
    )


def remove(client, workspace, target):
    return client.post(reverse("member_remove", args=[workspace.slug, target.pk]))


def leave(client, workspace):
    return client.post(reverse("workspace_leave", args=[workspace.slug]))


def members_url(workspace):
    return reverse("workspace_members", args=[workspace.slug])


def last_event(workspace, action):
    return AuditEvent.objects.filter(workspace=workspace, action=action).latest("id")


# --- admins and owners ------------------------------------------------------------------


def test_admin_cannot_change_an_owners_role(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    admin = make_member(workspace, Role.ADMIN)
    client.force_login(admin)
    before = state(workspace)

    response = change_role(client, workspace, membership(workspace, owner), Role.VIEWER)

    assert response.status_code == 302
    assert response["Location"] == members_url(workspace)
    assert messages_of(response) == [("error", "Only an owner can change or remove another owner.")]
    assert state(workspace) == before


def test_admin_cannot_remove_an_owner(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.OWNER)  # even when the workspace would keep an owner
    admin = make_member(workspace, Role.ADMIN)
    client.force_login(admin)
    before = state(workspace)

    response = remove(client, workspace, membership(workspace, owner))

    assert response.status_code == 302
    assert messages_of(response) == [("error", "Only an owner can change or remove another owner.")]
    assert state(workspace) == before


def test_owner_can_change_another_owners_role(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    other = make_member(workspace, Role.OWNER, full_name="Olive Other")
    client.force_login(owner)

    response = change_role(client, workspace, membership(workspace, other), Role.EDITOR)

    assert response.status_code == 302
    assert membership(workspace, other).role == Role.EDITOR
    assert messages_of(response) == [("success", "Olive Other is now editor.")]


def test_owner_can_remove_another_owner(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    other = make_member(workspace, Role.OWNER)
    client.force_login(owner)

    response = remove(client, workspace, membership(workspace, other))

    assert response.status_code == 302
    assert not Membership.objects.filter(workspace=workspace, user=other).exists()
    assert membership(workspace, owner).role == Role.OWNER


def test_admin_can_change_and_remove_non_owners(client, make_member, workspace):
    make_member(workspace, Role.OWNER)
    admin = make_member(workspace, Role.ADMIN)
    editor = make_member(workspace, Role.EDITOR)
    viewer = make_member(workspace, Role.VIEWER)
    client.force_login(admin)

    change_role(client, workspace, membership(workspace, editor), Role.APPROVER)
    remove(client, workspace, membership(workspace, viewer))

    assert membership(workspace, editor).role == Role.APPROVER
    assert not Membership.objects.filter(workspace=workspace, user=viewer).exists()


# --- the last owner ---------------------------------------------------------------------


def test_last_owner_cannot_be_demoted(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.ADMIN)
    client.force_login(owner)
    before = state(workspace)

    response = change_role(client, workspace, membership(workspace, owner), Role.ADMIN)

    assert response.status_code == 302
    assert messages_of(response) == [
        ("error", "A workspace needs at least one owner: make someone else owner first.")
    ]
    assert state(workspace) == before


def test_last_owner_cannot_be_removed(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.ADMIN)
    client.force_login(owner)
    before = state(workspace)

    response = remove(client, workspace, membership(workspace, owner))

    assert response.status_code == 302
    assert messages_of(response) == [
        ("error", "The last owner cannot leave or be removed: transfer ownership first.")
    ]
    assert state(workspace) == before


def test_last_owner_cannot_leave(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.EDITOR)
    client.force_login(owner)
    before = state(workspace)

    response = leave(client, workspace)

    assert response.status_code == 302
    assert response["Location"] == members_url(workspace)
    assert messages_of(response) == [
        ("error", "The last owner cannot leave or be removed: transfer ownership first.")
    ]
    assert state(workspace) == before
    page = client.get(members_url(workspace))
    assert "transfer ownership first" in page.content.decode()


def test_sole_member_who_owns_the_workspace_cannot_leave(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    client.force_login(owner)
    before = state(workspace)
    response = leave(client, workspace)
    assert messages_of(response)[0][0] == "error"
    assert state(workspace) == before


def test_one_of_two_owners_can_leave(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    other = make_member(workspace, Role.OWNER)
    client.force_login(owner)

    response = leave(client, workspace)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert messages_of(response) == [("success", "You left Acme.")]
    assert not Membership.objects.filter(workspace=workspace, user=owner).exists()
    assert membership(workspace, other).role == Role.OWNER
    event = last_event(workspace, AuditAction.MEMBER_LEFT)
    assert (event.actor, event.subject_user, event.ip_address) == (owner, owner, "127.0.0.1")
    assert event.details == {"role": Role.OWNER}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.APPROVER, Role.VIEWER])
def test_leaving_redirects_home_and_removes_the_membership(client, make_member, workspace, role):
    make_member(workspace, Role.OWNER)
    user = make_member(workspace, role)
    client.force_login(user)

    response = leave(client, workspace)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(workspace=workspace, user=user).exists()
    # The workspace is gone for them: it now answers 404 like any other.
    assert client.get(reverse("workspace_dashboard", args=[workspace.slug])).status_code == 404
    assert last_event(workspace, AuditAction.MEMBER_LEFT).subject_user == user


# --- ownership transfer -----------------------------------------------------------------


def test_transfer_makes_target_owner_and_actor_admin(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    editor = make_member(workspace, Role.EDITOR, full_name="Ed Itor")
    client.force_login(owner)

    response = client.post(
        reverse("member_transfer", args=[workspace.slug, membership(workspace, editor).pk])
    )

    assert response.status_code == 302
    assert membership(workspace, editor).role == Role.OWNER
    assert membership(workspace, owner).role == Role.ADMIN
    assert messages_of(response) == [("success", "Ed Itor now owns Acme; you are an admin.")]
    event = last_event(workspace, AuditAction.OWNERSHIP_TRANSFERRED)
    assert event.actor == owner
    assert event.subject_user == editor
    assert event.workspace == workspace
    assert event.ip_address == "127.0.0.1"
    # The former owner is now an admin: a second transfer is refused.
    again = client.post(
        reverse("member_transfer", args=[workspace.slug, membership(workspace, editor).pk])
    )
    assert again.status_code == 403


def test_owner_cannot_transfer_to_themselves(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    client.force_login(owner)
    before = state(workspace)

    response = client.post(
        reverse("member_transfer", args=[workspace.slug, membership(workspace, owner).pk])
    )

    assert messages_of(response) == [("error", "You already own this workspace.")]
    assert state(workspace) == before


# --- the audit trail --------------------------------------------------------------------


def test_role_change_is_audited_with_old_and_new_role(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    editor = make_member(workspace, Role.EDITOR)
    client.force_login(owner)

    change_role(client, workspace, membership(workspace, editor), Role.APPROVER)

    event = last_event(workspace, AuditAction.ROLE_CHANGED)
    assert event.actor == owner
    assert event.subject_user == editor
    assert event.workspace == workspace
    assert event.ip_address == "127.0.0.1"
    assert event.details == {"old_role": Role.EDITOR, "new_role": Role.APPROVER}


def test_unchanged_role_writes_no_audit_event(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    editor = make_member(workspace, Role.EDITOR)
    client.force_login(owner)
    before = state(workspace)
    change_role(client, workspace, membership(workspace, editor), Role.EDITOR)
    assert state(workspace) == before


def test_removal_is_audited(client, make_member, workspace):
    make_member(workspace, Role.OWNER)
    admin = make_member(workspace, Role.ADMIN)
    viewer = make_member(workspace, Role.VIEWER)
    client.force_login(admin)

    remove(client, workspace, membership(workspace, viewer))

    event = last_event(workspace, AuditAction.MEMBER_REMOVED)
    assert event.actor == admin
    assert event.subject_user == viewer
    assert event.workspace == workspace
    assert event.ip_address == "127.0.0.1"
    assert event.details == {"role": Role.VIEWER}


def test_refused_member_changes_write_no_audit_event(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    admin = make_member(workspace, Role.ADMIN)
    client.force_login(admin)
    count = AuditEvent.objects.filter(workspace=workspace).count()
    change_role(client, workspace, membership(workspace, owner), Role.VIEWER)
    remove(client, workspace, membership(workspace, owner))
    assert AuditEvent.objects.filter(workspace=workspace).count() == count


def test_audit_log_page_lists_member_events(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    editor = make_member(workspace, Role.EDITOR, email="ed@example.test")
    client.force_login(owner)
    change_role(client, workspace, membership(workspace, editor), Role.VIEWER)

    page = client.get(reverse("workspace_audit", args=[workspace.slug]))

    assert page.status_code == 200
    events = list(page.context["page"])
    assert events[0].action == AuditAction.ROLE_CHANGED
    html = page.content.decode()
    for text in ("Role changed", "editor → viewer", "ed@example.test", owner.email, "127.0.0.1"):
        assert text in html


# --- the member list --------------------------------------------------------------------


def test_member_list_shows_every_member(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER, email="owner@example.test")
    emails = [make_member(workspace, role).email for role in Role.values]
    client.force_login(owner)

    response = client.get(members_url(workspace))

    assert response.status_code == 200
    html = response.content.decode()
    for email in [owner.email, *emails]:
        assert f'data-member="{email}"' in html
    assert "6 members in Acme" in html


def _members_page_queries(client, workspace):
    client.get(members_url(workspace))  # warm up: session and last-workspace writes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(members_url(workspace))
    assert response.status_code == 200
    return len(queries), response


def test_member_list_query_count_does_not_grow_with_members(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.EDITOR)
    Invitation.objects.create(workspace=workspace, email="a@example.test", invited_by=owner)
    client.force_login(owner)
    with_two, _ = _members_page_queries(client, workspace)

    for i in range(18):
        make_member(workspace, Role.VIEWER if i % 2 else Role.APPROVER)
        Invitation.objects.create(
            workspace=workspace, email=f"pending{i}@example.test", invited_by=owner
        )
    with_twenty, response = _members_page_queries(client, workspace)

    assert Membership.objects.filter(workspace=workspace).count() == 20
    assert response.content.decode().count('data-member="') == 20
    assert with_twenty == with_two


def test_a_member_demoted_meanwhile_cannot_act_on_a_stale_role(rf, make_member):
    from accounts import members as member_services
    from accounts.models import Membership
    from mixora.errors import UserFacingError
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory()
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        make_member(workspace, Role.OWNER, email=email)
    b = Membership.objects.get(user__email="b@x.test")
    c = Membership.objects.get(user__email="c@x.test")
    stale_b = Membership.objects.get(pk=b.pk)  # what B's request read before A acted
    Membership.objects.filter(pk=b.pk).update(role=Role.VIEWER)  # A demotes B
    request = rf.post("/")
    request.user = b.user

    with pytest.raises(UserFacingError, match="Only owners and admins"):
        member_services.remove_member(stale_b, c, request)
    with pytest.raises(UserFacingError):
        member_services.change_role(stale_b, c, Role.VIEWER, request)
    assert Membership.objects.get(pk=c.pk).role == Role.OWNER


def test_acting_on_a_member_removed_meanwhile_is_refused_not_a_crash(rf, make_member):
    from accounts import members as member_services
    from accounts.models import Membership
    from mixora.errors import UserFacingError
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory()
    owner = make_member(workspace, Role.OWNER)
    editor = make_member(workspace, Role.EDITOR)
    actor = Membership.objects.get(user=owner)
    target = Membership.objects.get(user=editor)
    Membership.objects.filter(pk=target.pk).delete()  # another admin was quicker
    request = rf.post("/")
    request.user = owner

    with pytest.raises(UserFacingError, match="changed meanwhile"):
        member_services.remove_member(actor, target, request)


def test_the_only_owner_is_offered_no_leave_button_and_told_why(client, make_member, workspace):
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.EDITOR)
    client.force_login(owner)
    leave_url = reverse("workspace_leave", args=[workspace.slug])

    page = client.get(members_url(workspace)).content.decode()
    assert leave_url not in page
    assert "The only owner: make someone else owner to leave." in page

    make_member(workspace, Role.OWNER)
    assert leave_url in client.get(members_url(workspace)).content.decode()
