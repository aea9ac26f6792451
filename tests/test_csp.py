"""The Content-Security-Policy: every kind of response carries it, templates need nothing it
forbids, images may come from the media storage, and only the Connections page lets a form be
redirected to a platform's sign-in page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import path, reverse

from accounts.roles import Role
from connections import oauth_flow
from connections.models import ConnectedAccount
from tests.factories import UserFactory, WorkspaceFactory
from tests.workspace_urls import fill, inbox_objects, publishing_objects, workspace_routes

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Content-Security-Policy"


def _directives(response) -> dict[str, list[str]]:
    assert HEADER in response, f"{response.status_code} response without {HEADER}"
    return {
        name: values
        for name, *values in (part.split() for part in response[HEADER].split(";") if part.strip())
    }


def _assert_strict(response) -> None:
    policy = _directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe-inline" in v or "unsafe-eval" in v for v in sum(policy.values(), []))


@pytest.fixture
def owner_and_objects(db, make_member):
    workspace = WorkspaceFactory(name="Policy Co", slug="policy-co")
    owner = make_member(workspace, Role.OWNER)
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="csp-1", display_name="Policy on X"
    )
    objects = {
        "membership": workspace.memberships.get(user=owner),
        "invitation": workspace.invitations.create(
            email="new@example.test", role=Role.EDITOR, invited_by=owner
        ),
        "account": account,
    }
    objects |= publishing_objects(workspace, account) | inbox_objects(workspace, account)
    return workspace, owner, objects


def test_every_workspace_page_carries_the_policy(client, owner_and_objects):
    workspace, owner, objects = owner_and_objects
    client.force_login(owner)
    routes = workspace_routes()
    for route, pattern in routes:
        response = client.get(fill(route, workspace.slug, objects))
        assert HEADER in response, f"{pattern.name} ({response.status_code}) has no policy"
        if response["Content-Type"].startswith("text/html"):
            _assert_strict(response)
        else:  # a stored file (an inbox picture): shown, never run
            assert _directives(response)["default-src"] == ["'none'"], pattern.name
    assert len(routes) > 30


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/legal/",
        "/support/",
        "/privacy/cookies/",
        "/privacy/requests/new/",
        "/healthz",
        "/no-such-page/",
        "/admin/login/",
        "/static/css/app.css",
    ],
)
def test_public_pages_and_files_carry_the_policy(client, db, url):
    _assert_strict(client.get(url))


@pytest.mark.parametrize(
    "url",
    [
        "/account/profile/",
        "/account/privacy/",
        "/accounts/email/",
        "/privacy/exports/",
        "/privacy/requests/",
        "/notifications/",
        "/workspaces/new/",
    ],
)
def test_account_pages_carry_the_policy(client, db, url):
    client.force_login(UserFactory())
    _assert_strict(client.get(url))


def test_support_admin_pages_carry_the_policy(client, db):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user"]))
    child = UserFactory()
    client.force_login(staff)
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[child.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", _broken)]


@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_the_policy_and_needs_no_inline_style(db):
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    _assert_strict(response)
    assert "style=" not in response.content.decode()


# What the policy forbids in markup: inline script, event handler attributes, javascript:
# URLs, style elements and attributes. Emails are exempt: mail clients need inline styles and
# no policy applies there.
FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style>": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
}


def _markup_sources() -> list[Path]:
    templates = [
        p for p in (ROOT / "templates").rglob("*.html") if "emails" not in p.relative_to(ROOT).parts
    ]
    python = [
        p
        for app in ("accounts", "connections", "consent", "exports", "inbox", "legal", "mixora")
        + ("notifications", "privacy", "publishing", "retention", "support")
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
    return templates + python


def test_no_template_or_view_needs_inline_script_or_style():
    sources = _markup_sources()
    found = [
        f"{source.relative_to(ROOT)}: {what}: {match.group(0)[:80]}"
        for source in sources
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(source.read_text())
    ]
    assert len(sources) > 100
    assert not found, "\n".join(found)


def test_images_may_come_from_the_media_storage(client, db):
    name = default_storage.save("avatars/csp-check.png", ContentFile(b"\x89PNG"))
    try:
        url = default_storage.url(name)
    finally:
        default_storage.delete(name)
    parts = urlsplit(url)
    assert parts.scheme == "http"
    assert parts.netloc
    assert f"{parts.scheme}://{parts.netloc}" in _directives(client.get("/"))["img-src"]


def test_only_the_connections_page_lets_forms_go_to_platform_sign_in(client, owner_and_objects):
    workspace, owner, _ = owner_and_objects
    client.force_login(owner)
    connections = _directives(client.get(reverse("connections", args=[workspace.slug])))
    assert connections["form-action"] == ["'self'", settings.EMULATOR_URL]
    _assert_strict(client.get(reverse("connections", args=[workspace.slug])))
    dashboard = _directives(client.get(reverse("workspace_dashboard", args=[workspace.slug])))
    assert dashboard["form-action"] == ["'self'"]

    # In production the connect forms lead to each provider's own sign-in host.
    with override_settings(EMULATOR_URL=""):
        origins = oauth_flow.sign_in_origins()
    assert len(origins) >= 5
    assert all(origin.startswith("https://") for origin in origins)
