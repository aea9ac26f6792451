"""The composer's "Suggest a time" endpoint and "Add best times as posting slots": access,
tenancy, answers and messages."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import PostingSlot
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.insights.rated import Rated, add_rated, noisy

BASE = 0.04
TZ = "America/New_York"
GOOD = {(1, 13), (3, 15)}  # Tuesday 13:00 and Thursday 15:00, New York time


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="roast", timezone=TZ)


@pytest.fixture
def account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="1", display_name="Roast IG"
    )


def history(account: ConnectedAccount, count: int) -> None:
    rng = random.Random(3)
    slots = [(1, 13), (3, 15), (0, 9), (2, 11), (4, 17), (5, 10)]
    add_rated(
        account,
        [
            Rated(wd, h, noisy(rng, BASE * (1.8 if (wd, h) in GOOD else 1.0)))
            for wd, h in (slots[i % len(slots)] for i in range(count))
        ],
    )


def member(client, workspace, role: str):
    user = MembershipFactory(workspace=workspace, role=role).user
    client.force_login(user)
    return user


def suggest(client, account_id, after: str | None = None):
    query = {"account": account_id, **({"after": after} if after else {})}
    return client.get(reverse("suggest_time", args=["roast"]), query)


def next_local(weekday: int, hour: int, after: datetime) -> datetime:
    days = (weekday - after.weekday()) % 7
    moment = datetime.combine(after.date() + timedelta(days=days), time(hour), after.tzinfo)
    return moment if moment > after else moment + timedelta(days=7)


def test_any_member_gets_the_next_best_window_in_the_workspace_zone(client, workspace, account):
    history(account, 60)
    member(client, workspace, Role.VIEWER)

    answer = suggest(client, account.pk, "2031-03-03T13:30").json()  # a Monday

    assert answer["time"] == "2031-03-04T13:00"
    assert answer["label"] == "Tue 13:00"
    assert answer["date"] == "Tue 4 Mar, 13:00"
    assert answer["source"] == "account"
    assert answer["confidence"] == "high"
    assert answer["reason"].startswith("Tuesdays at 13:00 get +")
    assert answer["reason"].endswith(
        "engagement (10 posts, high confidence). Based on 60 posts of this account."
    )
    # The next one after Tuesday's is Thursday's.
    assert suggest(client, account.pk, answer["time"]).json()["label"] == "Thu 15:00"


def test_without_after_or_with_a_past_one_it_suggests_after_now(client, workspace, account):
    history(account, 60)
    member(client, workspace, Role.EDITOR)
    now = timezone.now().astimezone(ZoneInfo(TZ))
    expected = min(next_local(1, 13, now), next_local(3, 15, now))

    for after in (None, "2020-01-01T10:00"):
        answer = suggest(client, account.pk, after).json()
        assert answer["time"] == expected.strftime("%Y-%m-%dT%H:%M")


def test_a_thin_history_says_so_and_suggests_nothing(client, workspace, account):
    history(account, 12)
    member(client, workspace, Role.EDITOR)

    answer = suggest(client, account.pk).json()

    assert answer == {
        "time": None,
        "reason": "12 posts so far; suggestions start at 30.",
        "source": "none",
    }


def test_the_network_pattern_is_used_and_labelled_until_thirty_posts(client, workspace, account):
    history(account, 6)
    sibling = ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="2", display_name="Roast IG 2"
    )
    history(sibling, 48)
    member(client, workspace, Role.EDITOR)

    answer = suggest(client, account.pk, "2031-03-03T13:30").json()

    assert answer["source"] == "network"
    assert answer["label"] == "Tue 13:00"
    assert answer["reason"].endswith(
        "6 posts so far; suggestions start at 30. Based on 54 posts of your Instagram accounts "
        "(the network pattern of this workspace) until this account has 30."
    )


def test_another_workspace_account_is_404_and_bad_input_is_refused(client, workspace, account):
    other = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="instagram", external_id="9", display_name="No"
    )
    history(other, 60)
    member(client, workspace, Role.EDITOR)

    assert suggest(client, other.pk).status_code == 404
    assert suggest(client, "abc").status_code == 400
    assert suggest(client, "").json() == {
        "time": None,
        "reason": "Choose an account first.",
        "source": "none",
    }
    bad = suggest(client, account.pk, "next tuesday")
    assert bad.status_code == 400
    assert "2026-03-03T14:00" in bad.json()["error"]
    # 02:30 on 9 March 2031 does not exist in New York (clocks go forward).
    gap = suggest(client, account.pk, "2031-03-09T02:30")
    assert gap.status_code == 400
    assert "does not exist" in gap.json()["error"]


def test_outsiders_get_404(client, workspace, account):
    history(account, 60)
    member(client, WorkspaceFactory(), Role.OWNER)
    assert suggest(client, account.pk).status_code == 404
    url = reverse("best_time_slots", args=["roast", account.pk])
    assert client.post(url).status_code == 404


def slots_of(account) -> set[tuple[int, time]]:
    return set(PostingSlot.objects.filter(account=account).values_list("weekday", "time"))


def test_editors_add_the_best_windows_as_posting_slots_once(client, workspace, account):
    history(account, 60)
    PostingSlot.objects.create(account=account, weekday=3, time=time(15))
    member(client, workspace, Role.EDITOR)
    url = reverse("best_time_slots", args=["roast", account.pk])

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("posting_slots", args=["roast"])
    assert slots_of(account) == {(1, time(13)), (3, time(15))}
    text = [str(m) for m in response.context["messages"]]
    assert text == [
        "Added 1 posting slot for Roast IG: Tue 13:00. Based on 60 posts of this account."
    ]

    again = client.post(url, {"next": "/w/roast/analytics/"})
    assert again["Location"] == "/w/roast/analytics/"
    assert slots_of(account) == {(1, time(13)), (3, time(15))}
    followed = client.get(again["Location"])
    assert (
        "already has posting slots at its best times: Tue 13:00, Thu 15:00."
        in [str(m) for m in followed.context["messages"]][0]
    )


def test_adding_slots_without_enough_history_adds_nothing_and_says_why(client, workspace, account):
    history(account, 12)
    member(client, workspace, Role.ADMIN)

    response = client.post(
        reverse("best_time_slots", args=["roast", account.pk]),
        {"next": "https://evil.example/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("posting_slots", args=["roast"])
    assert slots_of(account) == set()
    assert [str(m) for m in response.context["messages"]] == [
        "No best times to add for Roast IG yet. 12 posts so far; suggestions start at 30."
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_those_who_may_not_edit_slots_may_not_add_them(client, workspace, account, role):
    history(account, 60)
    member(client, workspace, role)
    response = client.post(reverse("best_time_slots", args=["roast", account.pk]))
    assert response.status_code == 403
    assert slots_of(account) == set()


def test_adding_slots_is_post_only(client, workspace, account):
    member(client, workspace, Role.OWNER)
    assert client.get(reverse("best_time_slots", args=["roast", account.pk])).status_code == 405
