"""Tenancy: nothing under /w/<slug>/ leaks or changes another workspace's data.

The walker tests enumerate the real URL configuration, so a pattern added later is covered
(or fails loudly) without anyone remembering to add it here."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership
from accounts.roles import Capability, Role
from audit.models import AuditEvent
from connections.models import ConnectedAccount
from mixora import urls as root_urls
from tests.factories import UserFactory, WorkspaceFactory
from tests.snapshots import workspace_snapshot
from tests.workspace_urls import fill, inbox_objects, publishing_objects, workspace_routes

# What a hostile POST carries: if any view acted on it, B would visibly change.
HOSTILE_POST = {
    "email": "intruder@example.test",
    "role": Role.OWNER,
    "name": "Taken over",
    "timezone": "UTC",
}


def _without_csrf(response):
    # The masked CSRF token differs on every render; everything else must be identical.
    return re.sub(
        r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"',
        "",
        response.content.decode(),
    )


@pytest.fixture
def workspace_a(db):
    return WorkspaceFactory(name="Alpha", slug="alpha")


@pytest.fixture
def workspace_b(db, make_member):
    workspace = WorkspaceFactory(name="Bravo", slug="bravo")
    owner = make_member(workspace, Role.OWNER)
    make_member(workspace, Role.ADMIN)
    editor = make_member(workspace, Role.EDITOR)
    make_member(workspace, Role.VIEWER)
    Invitation.objects.create(
        workspace=workspace, email="pending@example.test", role=Role.EDITOR, invited_by=owner
    )
    workspace.editor = editor
    return workspace


@pytest.fixture
def b_objects(workspace_b):
    objects = {
        "membership": Membership.objects.get(workspace=workspace_b, user=workspace_b.editor),
        "invitation": Invitation.objects.get(workspace=workspace_b),
        "account": ConnectedAccount.objects.create(
            workspace=workspace_b,
            platform="x",
            external_id="b-1",
            display_name="B on X",
            access_token="b-secret-token",
        ),
    }
    return (
        objects
        | publishing_objects(workspace_b, objects["account"])
        | inbox_objects(workspace_b, objects["account"])
    )


def test_walker_finds_every_workspace_pattern():
    routes = workspace_routes()
    names = {pattern.name for _, pattern in routes}
    declared = {pattern.name for pattern in root_urls.workspace_patterns}
    assert len(routes) >= len(root_urls.workspace_patterns)
    assert declared <= names
    # Every declared pattern is reachable through the resolver under /w/<slug>/.
    for pattern in root_urls.workspace_patterns:
        kwargs = {"slug": "x"} | {name: 1 for name in pattern.pattern.converters}
        assert reverse(pattern.name, kwargs=kwargs).startswith("/w/x/")


def test_every_view_under_w_goes_through_workspace_view():
    routes = workspace_routes()
    assert routes
    for route, pattern in routes:
        capability = getattr(pattern.callback, "workspace_capability", None)
        assert isinstance(capability, Capability), (
            f"/{route} ({pattern.name}) is not wrapped in accounts.tenancy.workspace_view"
        )


@pytest.mark.parametrize("role", list(Role.values))
def test_outsider_gets_404_on_every_workspace_url(
    client, make_member, workspace_a, workspace_b, b_objects, role
):
    outsider = make_member(workspace_a, role)
    client.force_login(outsider)
    before = workspace_snapshot(workspace_b)
    audit_total = AuditEvent.objects.count()

    routes = workspace_routes()
    tried = []
    for route, pattern in routes:
        url = fill(route, workspace_b.slug, b_objects)
        get = client.get(url)
        post = client.post(url, HOSTILE_POST)
        assert get.status_code == 404, f"GET {url} ({pattern.name}) -> {get.status_code}"
        assert post.status_code == 404, f"POST {url} ({pattern.name}) -> {post.status_code}"
        tried.append(pattern.name)

    assert len(tried) == len(routes) >= len(root_urls.workspace_patterns)
    assert workspace_snapshot(workspace_b) == before
    assert AuditEvent.objects.count() == audit_total
    assert client.session.get("mixora.last_workspace") != workspace_b.slug


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (Role.OWNER, "member_change_role"),
        (Role.OWNER, "member_remove"),
        (Role.OWNER, "member_transfer"),
        (Role.OWNER, "invitation_revoke"),
        (Role.ADMIN, "member_change_role"),
        (Role.ADMIN, "member_remove"),
        (Role.ADMIN, "invitation_revoke"),
    ],
)
def test_ids_of_another_workspace_give_404_through_own_workspace_urls(
    client, make_member, workspace_a, workspace_b, b_objects, role, url_name
):
    actor = make_member(workspace_a, role)
    client.force_login(actor)
    before_b = workspace_snapshot(workspace_b)
    before_a = workspace_snapshot(workspace_a)
    target = b_objects["invitation"] if url_name == "invitation_revoke" else b_objects["membership"]

    response = client.post(reverse(url_name, args=[workspace_a.slug, target.pk]), HOSTILE_POST)

    assert response.status_code == 404
    assert workspace_snapshot(workspace_b) == before_b
    assert workspace_snapshot(workspace_a) == before_a


def test_ids_of_the_owner_of_another_workspace_give_404_on_transfer(
    client, make_member, workspace_a, workspace_b
):
    actor = make_member(workspace_a, Role.OWNER)
    client.force_login(actor)
    b_owner = Membership.objects.get(workspace=workspace_b, role=Role.OWNER)
    before_b = workspace_snapshot(workspace_b)

    for url_name in ("member_transfer", "member_remove", "member_change_role"):
        response = client.post(
            reverse(url_name, args=[workspace_a.slug, b_owner.pk]), {"role": "viewer"}
        )
        assert response.status_code == 404, url_name

    assert workspace_snapshot(workspace_b) == before_b
    assert Membership.objects.get(pk=actor.memberships.get().pk).role == Role.OWNER


def test_anonymous_visitor_is_sent_to_login_from_every_workspace_url(
    client, workspace_b, b_objects
):
    before = workspace_snapshot(workspace_b)
    login_url = reverse("account_login")
    for route, pattern in workspace_routes():
        url = fill(route, workspace_b.slug, b_objects)
        for response in (client.get(url), client.post(url, HOSTILE_POST)):
            assert response.status_code == 302, f"{url} ({pattern.name})"
            location = urlsplit(response["Location"])
            assert location.path == login_url
            assert parse_qs(location.query) == {"next": [url]}
    assert workspace_snapshot(workspace_b) == before


def test_unknown_slug_gives_the_same_404_as_a_workspace_you_are_not_in(
    client, make_member, workspace_a, workspace_b, b_objects
):
    client.force_login(make_member(workspace_a, Role.OWNER))
    for route, pattern in workspace_routes():
        missing = client.get(fill(route, "no-such-workspace", b_objects))
        foreign = client.get(fill(route, workspace_b.slug, b_objects))
        assert missing.status_code == foreign.status_code == 404, pattern.name
        assert _without_csrf(missing) == _without_csrf(foreign), pattern.name


def test_member_can_open_their_own_workspace(client, make_member, workspace_a):
    """The control for the 404s above: the same user reaches their own workspace."""
    client.force_login(make_member(workspace_a, Role.OWNER))
    response = client.get(reverse("workspace_dashboard", args=[workspace_a.slug]))
    assert response.status_code == 200
    assert client.session["mixora.last_workspace"] == workspace_a.slug


def test_invite_post_without_csrf_token_is_refused(make_member, workspace_a):
    owner = make_member(workspace_a, Role.OWNER)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)

    response = csrf_client.post(
        reverse("workspace_members", args=[workspace_a.slug]),
        {"email": "csrf@example.test", "role": Role.EDITOR},
    )

    assert response.status_code == 403
    assert not Invitation.objects.filter(email="csrf@example.test").exists()
    assert not Invitation.objects.filter(workspace=workspace_a).exists()


def test_invite_post_with_csrf_token_is_accepted(make_member, workspace_a):
    """The control for the CSRF refusal: the same request with the page's token works."""
    owner = make_member(workspace_a, Role.OWNER)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    url = reverse("workspace_members", args=[workspace_a.slug])
    page = csrf_client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

    response = csrf_client.post(
        url, {"email": "csrf@example.test", "role": Role.EDITOR, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Invitation.objects.filter(workspace=workspace_a, email="csrf@example.test").exists()


def test_user_without_any_workspace_gets_404_everywhere_under_w(client, workspace_b, b_objects):
    client.force_login(UserFactory())
    before = workspace_snapshot(workspace_b)
    for route, pattern in workspace_routes():
        url = fill(route, workspace_b.slug, b_objects)
        assert client.get(url).status_code == 404, pattern.name
        assert client.post(url, HOSTILE_POST).status_code == 404, pattern.name
    assert workspace_snapshot(workspace_b) == before
