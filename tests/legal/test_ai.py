"""The AI training choice: off by default, readable by every member, changed only by owners
and admins, with its history; another workspace's page is never reachable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from legal.ai import set_training_choice, training_allowed
from legal.models import AITrainingChoice
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


def _url(slug: str = "acme") -> str:
    return reverse("ai_training", args=[slug])


def _history(workspace) -> list[tuple[bool, int]]:
    return list(
        AITrainingChoice.objects.filter(workspace=workspace).values_list(
            "opted_in", "changed_by_id"
        )
    )


def test_off_by_default(workspace):
    assert training_allowed(workspace) is False
    assert reverse("ai_training", args=["acme"]) == "/w/acme/settings/ai/"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.APPROVER])
def test_members_without_settings_rights_read_but_cannot_change(
    workspace, make_member, client, role
):
    client.force_login(make_member(workspace, role))

    page = client.get(_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not allowed" in html
    assert "What this choice means" in html
    assert "Owners and admins make this choice." in html
    assert 'name="opted_in"' not in html

    assert client.post(_url(), {"opted_in": "yes"}).status_code == 403
    assert _history(workspace) == []
    assert training_allowed(workspace) is False


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_owners_and_admins_change_it_and_the_history_records_who(
    workspace, make_member, client, role
):
    manager = make_member(workspace, role, full_name="Morgan Manager")
    client.force_login(manager)

    response = client.post(_url(), {"opted_in": "yes"})
    assert response.status_code == 302
    assert training_allowed(workspace) is True
    client.post(_url(), {"opted_in": "yes"})  # the same choice again records nothing
    client.post(_url(), {"opted_in": "no"})

    assert training_allowed(workspace) is False
    assert _history(workspace) == [(False, manager.pk), (True, manager.pk)]
    html = client.get(_url()).content.decode()
    assert "Turned off" in html
    assert "Morgan Manager" in html


def test_a_viewer_sees_the_current_choice_and_who_made_it(workspace, make_member, client):
    admin = make_member(workspace, Role.ADMIN, full_name="Ada Admin")
    set_training_choice(workspace, True, by=admin)
    client.force_login(make_member(workspace, Role.VIEWER))

    html = client.get(_url()).content.decode()

    assert '<span class="pill pill--active">Allowed</span>' in html
    assert "set by Ada Admin" in html


@pytest.mark.parametrize("data", [{}, {"opted_in": "maybe"}, {"opted_in": ""}])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    workspace, make_member, client, data
):
    client.force_login(make_member(workspace, Role.OWNER))
    response = client.post(_url(), data)
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert _history(workspace) == []


def test_changing_needs_csrf(workspace, make_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(workspace, Role.OWNER))
    assert client.post(_url(), {"opted_in": "yes"}).status_code == 403
    assert _history(workspace) == []


def test_another_workspaces_page_is_404_and_untouched(workspace, make_member, client):
    other = WorkspaceFactory(name="Other", slug="other")
    other_admin = make_member(other, Role.ADMIN)
    set_training_choice(other, True, by=other_admin)
    client.force_login(make_member(workspace, Role.OWNER))

    assert client.get(_url("other")).status_code == 404
    assert client.post(_url("other"), {"opted_in": "no"}).status_code == 404
    assert client.get(_url("no-such-workspace")).status_code == 404

    assert training_allowed(other) is True
    assert _history(other) == [(True, other_admin.pk)]
    assert training_allowed(workspace) is False


def test_choices_of_one_workspace_never_leak_into_another(workspace, make_member):
    other = WorkspaceFactory(slug="other")
    set_training_choice(other, True, by=make_member(other, Role.OWNER))
    assert training_allowed(other) is True
    assert training_allowed(workspace) is False


def test_anonymous_visitors_are_sent_to_log_in(workspace, client):
    response = client.get(_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
