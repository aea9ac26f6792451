"""What one publish costs Mixora in database round trips: a text post to X."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing import publisher
from publishing.models import PostTarget


def test_publishing_one_post_takes_few_queries(accounts, emulator, scheduled_post, celery_queue):
    target = scheduled_post([accounts["x"]], "Counted queries").targets.get()
    publisher.dispatch_due()

    with CaptureQueriesContext(connection) as queries:
        assert publisher.publish_one(target.pk) == "published"

    assert PostTarget.objects.get(pk=target.pk).state == PostTarget.State.PUBLISHED
    # Claim, load (with the queue pause), the plan (2), media, outcome unknown, checkpoint,
    # finish; settle: lock and read the targets and copies at once, update (+ its savepoint
    # and release here). Was 19: the known ids and the queue pause apart, the account's
    # success on every post, settle reading the post three times and writing it twice.
    assert len(queries) <= 12, [q["sql"][:120] for q in queries.captured_queries]
