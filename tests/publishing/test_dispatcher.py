"""The dispatcher claims with SELECT … FOR UPDATE SKIP LOCKED: run concurrently, every due
target is enqueued exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from connections.models import ConnectedAccount
from publishing import publisher
from publishing.models import Post, PostTarget
from tests.factories import WorkspaceFactory

S = PostTarget.State


def make_due(count: int) -> list[int]:
    workspace = WorkspaceFactory()
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="X"
    )
    due = timezone.now() - timedelta(seconds=1)
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, text=f"post {i}", stage=Post.Stage.SCHEDULED, scheduled_at=due)
        for i in range(count)
    )
    targets = PostTarget.objects.bulk_create(
        PostTarget(post=p, account=account, state=S.SCHEDULED, due_at=due) for p in posts
    )
    return [t.pk for t in targets]


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_enqueue_each_target_exactly_once(celery_queue):
    ids = make_due(300)
    results: list[int] = []

    def dispatch() -> None:
        try:
            results.append(publisher.dispatch_due(batch_size=40))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    batches = [args[0] for name, args in celery_queue() if name.endswith("enqueue_publishes")]
    queued = [pk for batch in batches for pk in batch]
    assert sorted(queued) == sorted(ids)  # all of them, none twice
    assert max(len(batch) for batch in batches) <= 40  # one small fan-out message per batch
    assert sum(results) == 300
    assert set(PostTarget.objects.values_list("state", flat=True)) == {S.QUEUED}


def test_targets_not_yet_due_stay_put(db, celery_queue):
    ids = make_due(3)
    PostTarget.objects.filter(pk=ids[0]).update(due_at=timezone.now() + timedelta(minutes=1))

    assert publisher.dispatch_due() == 2

    assert PostTarget.objects.get(pk=ids[0]).state == S.SCHEDULED


def test_a_claimed_target_is_published_by_one_task_only(db, celery_queue):
    (target_id,) = make_due(1)
    PostTarget.objects.filter(pk=target_id).update(state=S.PUBLISHING)  # another worker has it

    assert publisher.publish_one(target_id) == "skipped"


def test_a_fan_out_batch_becomes_publish_tasks_of_a_few_dozen_targets(db, celery_queue, settings):
    size = settings.PUBLISH_TASK_SIZE
    ids = make_due(size * 2 + 3)
    assert publisher.enqueue(ids) == len(ids)
    assert celery_queue() == [
        ("publishing.tasks.publish_targets", [ids[:size]]),
        ("publishing.tasks.publish_targets", [ids[size : size * 2]]),
        ("publishing.tasks.publish_targets", [ids[size * 2 :]]),
    ]
