"""Posting slots: "Add to queue" takes the next free slot of the chosen accounts, in the
workspace's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing.models import Post, PostingSlot, PostTarget
from publishing.slots import next_free_slot
from tests.factories import WorkspaceFactory

MONDAY_8_UTC = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday, London is on UTC


@pytest.fixture
def ws(db):
    return WorkspaceFactory(slug="slots", timezone="Europe/London")


@pytest.fixture
def account(ws):
    return ConnectedAccount.objects.create(
        workspace=ws, platform="x", external_id="1", display_name="X"
    )


def test_the_next_slot_after_now_is_chosen(ws, account):
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    PostingSlot.objects.create(account=account, weekday=2, time=time(12, 30))
    assert next_free_slot(ws, [account.pk], MONDAY_8_UTC) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )
    after_nine = MONDAY_8_UTC.replace(hour=10)
    assert next_free_slot(ws, [account.pk], after_nine) == datetime(2026, 12, 2, 12, 30, tzinfo=UTC)


def test_a_taken_slot_is_skipped(ws, account):
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    post = Post.objects.create(workspace=ws, text="taken")
    PostTarget.objects.create(
        post=post,
        account=account,
        state=PostTarget.State.SCHEDULED,
        due_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    )
    assert next_free_slot(ws, [account.pk], MONDAY_8_UTC) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_slots_follow_the_workspace_clock_across_daylight_saving(ws, account):
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    before_change = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday; clocks go forward Sunday
    # 09:00 London on Monday 30 March is 08:00 UTC (BST).
    assert next_free_slot(ws, [account.pk], before_change) == datetime(
        2026, 3, 30, 8, 0, tzinfo=UTC
    )


def test_no_slots_says_what_to_do(ws, account):
    with pytest.raises(UserFacingError, match="posting slots"):
        next_free_slot(ws, [account.pk], MONDAY_8_UTC)


def test_another_workspaces_slots_are_ignored(ws, account):
    other = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="x", external_id="2", display_name="Other"
    )
    PostingSlot.objects.create(account=other, weekday=0, time=time(9, 0))
    with pytest.raises(UserFacingError):
        next_free_slot(ws, [other.pk], MONDAY_8_UTC)


def test_add_to_queue_in_the_composer_schedules_at_the_next_slot(client, ws, account, make_member):
    from accounts.roles import Role

    ws.approval_required = False
    ws.save(update_fields=["approval_required"])
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    client.force_login(make_member(ws, Role.EDITOR))
    response = client.post(
        reverse("post_new", args=["slots"]),
        {
            "text": "Queued",
            "accounts": [account.pk],
            "action": "queue",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED
    local = post.scheduled_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert post.targets.get().state == PostTarget.State.SCHEDULED


def test_slots_page_adds_and_removes_slots_for_composers_only(client, ws, account, make_member):
    from accounts.roles import Role

    url = reverse("posting_slots", args=["slots"])
    data = {"accounts": [account.pk], "weekdays": [1], "times": "10:15"}
    client.force_login(make_member(ws, Role.VIEWER))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(make_member(ws, Role.EDITOR))
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert "0 slots added. 1 already existed." in again.content.decode()
    slot = PostingSlot.objects.get()
    assert client.post(reverse("posting_slot_delete", args=["slots", slot.pk])).status_code == 302
    assert not PostingSlot.objects.exists()


def test_several_days_times_and_accounts_at_once_skipping_existing_ones(
    client, ws, account, make_member
):
    from accounts.roles import Role

    insta = ConnectedAccount.objects.create(
        workspace=ws, platform="instagram", external_id="2", display_name="Insta"
    )
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    client.force_login(make_member(ws, Role.EDITOR))

    response = client.post(
        reverse("posting_slots", args=["slots"]),
        {
            "accounts": [account.pk, insta.pk],
            "weekdays": [0, 1, 2, 3, 4],
            "times": "09:00, 12:30 17:00, 9:00",
        },
        follow=True,
    )

    assert "29 slots added. 1 already existed." in response.content.decode()
    assert PostingSlot.objects.count() == 30  # 2 accounts x 5 days x 3 times
    assert set(PostingSlot.objects.filter(account=insta).values_list("time", flat=True)) == {
        time(9, 0),
        time(12, 30),
        time(17, 0),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekdays": [0], "times": "09:00, 25:00"}, "“25:00” is not a time"),
        ({"weekdays": [0], "times": "noon"}, "“noon” is not a time"),
        ({"weekdays": [0], "times": " , "}, "Write at least one time"),
        ({"times": "09:00"}, "Choose at least one day."),
        ({"weekdays": [7], "times": "09:00"}, "Select a valid choice"),
    ],
)
def test_bad_input_says_what_is_wrong_and_adds_nothing(
    client, ws, account, make_member, data, message
):
    from accounts.roles import Role

    client.force_login(make_member(ws, Role.EDITOR))
    response = client.post(
        reverse("posting_slots", args=["slots"]), {"accounts": [account.pk], **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PostingSlot.objects.exists()


def test_another_workspaces_account_is_refused(client, ws, account, make_member):
    from accounts.roles import Role

    theirs = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="x", external_id="9", display_name="Theirs"
    )
    client.force_login(make_member(ws, Role.EDITOR))
    response = client.post(
        reverse("posting_slots", args=["slots"]),
        {"accounts": [theirs.pk], "weekdays": [0], "times": "09:00"},
    )
    assert response.status_code == 400
    assert not PostingSlot.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-08T14:00", {"scheduled_local": datetime(2026, 12, 8, 14, 0)}),  # noqa: DTZ001
        ("2026-02-27T14:00", {}),  # passed
        ("2026-03-29T01:30", {}),  # skipped by the clocks in London
        ("tomorrow", {}),
        (None, {}),
    ],
)
def test_a_calendar_slot_prefills_the_composer_only_with_a_future_time(value, expected):
    import time_machine

    from publishing.slots import initial_at

    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        assert initial_at(value, "Europe/London") == expected


def test_the_composer_opens_at_the_slot_from_the_calendar(client, ws, account, make_member):
    from accounts.roles import Role

    client.force_login(make_member(ws, Role.EDITOR))
    url = reverse("post_new", args=["slots"])
    response = client.get(url, {"at": "2099-12-08T14:00"})
    assert 'value="2099-12-08T14:00"' in response.content.decode()
    assert (
        'value="2020-12-08T14:00"'
        not in client.get(url, {"at": "2020-12-08T14:00"}).content.decode()
    )
