from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import MembershipFactory, WorkspaceFactory

from .consent import callback_path, consent


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER, user__email="o@acme.test").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def connect(owner_client, workspace, emulator):
    """connect(provider, allow=True, choose=None) -> the final response, after starting the
    flow in Mixora, clicking through the emulator's consent page and coming back."""

    def run(provider: str, *, allow: bool = True, choose: list[str] | None = None):
        start = owner_client.post(reverse("connections_connect", args=["acme", provider]))
        assert start.status_code == 302
        assert start["Location"].startswith(emulator.url)
        back = owner_client.get(callback_path(consent(start["Location"], allow=allow)))
        if (
            provider == "meta"
            and allow
            and back.status_code == 302
            and back["Location"].endswith("/connections/choose/")
        ):
            page = owner_client.get(back["Location"])
            keys = choose if choose is not None else [o["key"] for o in page.context["options"]]
            return owner_client.post(back["Location"], {"accounts": keys})
        return back

    return run
