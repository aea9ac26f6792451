"""A workspace with the seeded LinkedIn member's organisation page connected through the real
OAuth flow and the choose page (the workspace, owner, upload and scheduled_post fixtures come
from tests/publishing_fixtures.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections.models import ConnectedAccount
from tests.connections.consent import callback_path, consent

ORG = "90000001"  # the seeded member administers Demo Co (90000001) and Demo Co Careers


@pytest.fixture
def start_connect(client, owner, emulator):
    """start_connect(allow=True) -> Mixora's answer to the platform's redirect back."""

    def run(*, allow: bool = True, drop_scopes: tuple[str, ...] = ()):
        client.force_login(owner.user)
        start = client.post(reverse("connections_connect", args=["acme", "linkedin"]))
        assert start.status_code == 302
        location = consent(start["Location"], allow=allow, drop_scopes=drop_scopes)
        return client.get(callback_path(location))

    return run


@pytest.fixture
def connect_page(client, start_connect, workspace):
    """connect_page(org ids) -> the connected pages, chosen on Mixora's choose page."""

    def run(org_ids: tuple[str, ...] = (ORG,), **kwargs) -> list[ConnectedAccount]:
        back = start_connect(**kwargs)
        assert back.status_code == 302
        assert back["Location"] == reverse("connections_choose", args=["acme"])
        chosen = [f"linkedin:{org}" for org in org_ids]
        done = client.post(back["Location"], {"accounts": chosen})
        assert done.status_code == 302
        return list(workspace.connected_accounts.filter(external_id__in=org_ids))

    return run


@pytest.fixture
def page(connect_page) -> ConnectedAccount:
    (account,) = connect_page()
    return account
