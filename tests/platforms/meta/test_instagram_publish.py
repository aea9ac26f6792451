"""Instagram publishing against the emulator: the 24-hour publishing limit waits for its
window (defect 10), an expired container is rebuilt, and carousel items are waited on
together (defect 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import publisher
from publishing.models import PostTarget

S = PostTarget.State


def behave(emulator, **knobs: object) -> None:
    emulator.control("POST", "behaviour", {"platform": "meta", **knobs})


def run_due() -> list[str]:
    publisher.dispatch_due()
    return [publisher.publish_one(t.pk) for t in PostTarget.objects.filter(state=S.QUEUED)]


def due_now(target: PostTarget) -> None:
    PostTarget.objects.filter(pk=target.pk).update(due_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_the_publishing_limit_waits_for_its_window_then_rebuilds_the_expired_container(
    accounts, emulator, upload, scheduled_post
):
    account = accounts["instagram"]
    post = scheduled_post([account], "Sold out, again", [upload("image")])
    behave(emulator, instagram_publish_quota=0)

    assert run_due() == ["rate-limited"]

    target = post.targets.get()
    assert target.state == S.SCHEDULED
    assert "publishing limit" in target.last_error
    # content_publishing_limit says the quota is full: a whole window (24 h) from now.
    wait = target.due_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < wait <= timedelta(hours=24)
    assert emulator.requests("meta", "meta.ig_limit")
    container = target.checkpoint["container_id"]

    # A day later the quota has room, but the container expired meanwhile.
    behave(emulator, instagram_publish_quota=100)
    emulator.control("POST", "clock", {"advance": 86400 + 60})
    due_now(target)
    assert run_due() == ["retrying"]
    target.refresh_from_db()
    assert "expired" in target.last_error
    assert not target.checkpoint.get("container_id")

    due_now(target)
    assert run_due() == ["published"]
    target.refresh_from_db()
    creations = emulator.requests("meta", "meta.ig_media")
    assert len(creations) == 2  # the expired one and its replacement
    published = emulator.requests("meta", "meta.ig_publish")
    assert published[-1]["form"]["creation_id"] != container


@pytest.mark.django_db
def test_carousel_items_are_made_first_then_polled_together(
    accounts, emulator, upload, scheduled_post
):
    account = accounts["instagram"]
    behave(emulator, instagram_container_polls=3)
    items = [upload("image", name=f"p{n}.jpg") for n in range(3)]
    scheduled_post([account], "Three of a kind", items)

    assert run_due() == ["published"]

    made = emulator.requests("meta", "meta.ig_media")
    children = [r for r in made if r["form"].get("is_carousel_item") == "true"]
    assert len(children) == 3
    polls = [r["path"].rsplit("/", 1)[-1] for r in emulator.requests("meta", "meta.ig_container")]
    # Every item is asked about in each round: the first round names all three.
    assert len(set(polls[:3])) == 3
    # Each round is one pass over the pending items: 4 rounds of 3, then the carousel itself.
    assert len(polls) == 3 * 4 + 4
    # All items were created before the first status poll.
    log = emulator.requests("meta")
    first_poll = next(i for i, r in enumerate(log) if r["endpoint"] == "meta.ig_container")
    last_child = max(i for i, r in enumerate(log) if r["form"].get("is_carousel_item") == "true")
    assert last_child < first_poll
