"""Defect 12c: a video X takes longer to process than one attempt waits for is polled again on
the retry, by its media id (valid for a day after FINALIZE), never uploaded a second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import publisher
from publishing.models import PostTarget
from tests.emulator.publishing import behave
from tests.platforms.x.test_events import connect_x

pytestmark = pytest.mark.django_db(transaction=True)


def attempt(target: PostTarget) -> str:
    PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.SCHEDULED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    publisher.dispatch_due()
    return publisher.publish_one(target.pk)


def uploads(emulator) -> list[dict]:
    calls = emulator.requests("x", "x.media_upload")
    return [c for c in calls if c["path"].endswith("/media/upload/initialize")]


def test_a_slow_video_is_polled_on_retry_not_uploaded_again(
    client, owner, emulator, upload, scheduled_post, settings, celery_queue
):
    account = connect_x(client, owner)
    settings.PUBLISH_POLL_ATTEMPTS = 3
    # X answers in_progress to the next 5 STATUS polls: more than one attempt waits.
    behave(emulator, "x", media_processing_polls=5)
    post = scheduled_post([account], "Our new roastery", [upload("video")])
    target = post.targets.get()

    assert attempt(target) == "retrying"
    target.refresh_from_db()
    media_id = target.checkpoint["media_ids"][0]
    assert len(uploads(emulator)) == 1

    assert attempt(target) == "published"
    assert len(uploads(emulator)) == 1  # the same media id, polled
    posts = emulator.control("GET", "posts?platform=x")
    assert [p["text"] for p in posts] == ["Our new roastery"]
    assert target.checkpoint["media_ids"] == [media_id]
