"""The best-times page: the heatmap of an account's hours with posts and confidence, its
message when history is thin, the format effects, and "Add as posting slots"."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from insights.heatmap import heat_level
from publishing.models import PostingSlot
from tests.factories import WorkspaceFactory
from tests.insights.rated import Rated, add_rated, noisy

BASE = 0.04
GOOD = (1, 13)  # Tuesday 13:00
HABITS = [(1, 13), (3, 14), (0, 9), (0, 18), (2, 11), (4, 16), (5, 10), (6, 20)]


@pytest.fixture
def ws(db):
    return WorkspaceFactory(name="Roastery", slug="roastery", timezone="Europe/Paris")


def make_account(workspace, external_id: str = "1") -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id=external_id, display_name="Roast"
    )


def history(account: ConnectedAccount, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    add_rated(
        account,
        [
            Rated(wd, h, noisy(rng, BASE * (2.0 if (wd, h) == GOOD else 1.0)), format=kind)
            for i in range(count)
            for (wd, h), kind in [(HABITS[i % len(HABITS)], ("image", "video")[i % 2])]
        ],
    )


def page_url(account: ConnectedAccount | None = None) -> str:
    base = reverse("analytics_best_times", args=["roastery"])
    return f"{base}?account={account.pk}" if account else base


def test_a_viewer_sees_the_heatmap_with_posts_confidence_and_formats(client, ws, make_member):
    account = make_account(ws)
    history(account, 80)
    client.force_login(make_member(ws, Role.VIEWER))

    response = client.get(page_url(account))
    html = response.content.decode()

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [len(row.cells) for row in rows] == [24] * 7
    tuesday_one = rows[1].cells[13]
    assert tuesday_one.best
    assert tuesday_one.level == 5
    assert tuesday_one.cell.posts == 10
    assert f'title="{tuesday_one.description}"' in html
    assert "Tuesday 13:00:" in tuesday_one.description
    assert "10 posts" in tuesday_one.description
    assert "confidence" in tuesday_one.description
    assert "Based on 80 posts of this account." in html
    assert "Tuesdays at 13:00" in html  # the best window, in words
    assert "Add as posting slots" not in html  # a viewer cannot add slots
    groups = {g.label: g.effects for g in response.context["effect_groups"]}
    assert {e.label for e in groups["Format"]} >= {"Image", "Video"}
    assert "Caption length" in html
    assert "Hashtags" in html


def test_a_thin_history_says_so_and_shows_no_pattern(client, ws, make_member):
    account = make_account(ws)
    history(account, 12)
    client.force_login(make_member(ws, Role.VIEWER))

    html = client.get(page_url(account)).content.decode()

    assert "12 posts so far; suggestions start at 30." in html
    assert 'id="heatmap"' not in html


def test_the_network_pattern_is_labelled_as_such(client, ws, make_member):
    account = make_account(ws, "1")
    history(account, 12)
    history(make_account(ws, "2"), 60, seed=2)
    client.force_login(make_member(ws, Role.VIEWER))

    html = client.get(page_url(account)).content.decode()

    assert "Network-wide pattern" in html
    assert 'id="heatmap"' in html


def test_an_editor_adds_the_best_windows_as_slots_from_the_page(client, ws, make_member):
    account = make_account(ws)
    history(account, 80)
    client.force_login(make_member(ws, Role.EDITOR))
    page = client.get(page_url(account))
    assert "Add as posting slots" in page.content.decode()

    response = client.post(
        reverse("best_time_slots", args=["roastery", account.pk]), {"next": page_url(account)}
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(account)
    assert (1, "13:00") in {
        (s.weekday, f"{s.time:%H:%M}") for s in PostingSlot.objects.filter(account=account)
    }


def test_another_workspaces_account_is_404(client, ws, make_member):
    rival = make_account(WorkspaceFactory(slug="rival"), "9")
    client.force_login(make_member(ws, Role.VIEWER))
    assert client.get(page_url(rival)).status_code == 404


def test_query_count_does_not_grow_with_the_history(client, ws, make_member):
    account = make_account(ws)
    client.force_login(make_member(ws, Role.VIEWER))
    history(account, 40)
    client.get(page_url(account))

    with CaptureQueriesContext(connection) as small:
        client.get(page_url(account))
    history(account, 400, seed=3)
    with CaptureQueriesContext(connection) as large:
        client.get(page_url(account))

    assert len(large) == len(small) <= 14


def test_heat_levels_are_bands_around_the_average():
    assert heat_level(None, 0.04) == 0
    assert heat_level(0.02, 0.04) == 1
    assert heat_level(0.04, 0.04) == 3
    assert heat_level(0.047, 0.04) == 4
    assert heat_level(0.06, 0.04) == 5
