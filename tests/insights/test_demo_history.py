"""`make run`'s demo history: Demo Co's Instagram connected through the emulator's consent page,
twelve weeks of posts made in the emulator, and every reading taken through the collection path
with the emulator's clock set back to its moment."""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_MEMBERS, seed_demo
from accounts.models import User, Workspace
from insights.demo import WEEKS, seed_history
from insights.models import FollowerCount, MetricSnapshot, PostInsight


@pytest.fixture
def demo(db, settings, emulator):
    settings.MIXORA_MODE = "local"
    seed_demo()
    return Workspace.objects.get(slug="demo-co"), User.objects.get(email=DEMO_MEMBERS[0][0])


def test_the_demo_has_a_history_read_from_the_emulator(demo, emulator):
    workspace, owner = demo

    said = seed_history(workspace, owner)

    (account,) = workspace.connected_accounts.all()
    assert (account.platform, account.display_name) == ("instagram", "Demo Co Coffee")
    insights = PostInsight.objects.filter(workspace=workspace)
    assert insights.count() >= 60
    assert str(insights.count()) in said
    assert set(insights.values_list("format", flat=True)) == {"image", "carousel", "video"}
    # Every post was read at each moment of its schedule that has passed.
    oldest = insights.order_by("published_at").first()
    assert oldest.snapshots == 7
    assert oldest.next_collect_at is None
    assert oldest.readings.count() == 7
    impressions = list(oldest.readings.order_by("taken_at").values_list("impressions", flat=True))
    assert impressions == sorted(impressions)
    assert impressions[0] > 0
    remote = {p["id"] for p in emulator.control("GET", "posts?platform=instagram")}
    assert set(insights.values_list("platform_post_id", flat=True)) <= remote
    assert FollowerCount.objects.filter(account=account).count() == WEEKS * 7 + 1
    assert emulator.control("POST", "clock", {"advance": 0})["offset"] == 0

    assert "already" in seed_history(workspace, owner)
    assert MetricSnapshot.objects.filter(insight__workspace=workspace).count() == sum(
        insights.values_list("snapshots", flat=True)
    )


def test_only_in_local_mode(db, settings):
    settings.MIXORA_MODE = "production"
    workspace = Workspace.objects.create(name="Real", slug="real")
    with pytest.raises(Exception, match="local mode"):
        seed_history(workspace, User.objects.create_user("o@real.test", "pw-12345678"))
