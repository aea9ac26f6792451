"""A publish task takes a batch of targets: each is claimed, sent and settled as if alone
(its own outcome, never twice), while the batch shares its queries."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing import publisher
from publishing.models import Post, PostTarget
from tests.publishing.test_worker import wait_for

S = PostTarget.State


def test_each_target_of_a_batch_gets_its_own_outcome(
    accounts, emulator, scheduled_post, celery_queue
):
    x = accounts["x"]
    earlier = scheduled_post([x], "Already on X").targets.get()
    publisher.dispatch_due()
    assert publisher.publish_one(earlier.pk) == "published"
    texts = ["Batch one", "Batch two", "Already on X", "Batch three"]
    targets = [scheduled_post([x], text).targets.get() for text in texts]
    sent_back = scheduled_post([x], "Sent back to draft").targets.get()
    assert publisher.dispatch_due() == 5
    Post.objects.filter(pk=sent_back.post_id).update(stage=Post.Stage.DRAFT)

    outcomes = publisher.publish_many([t.pk for t in [*targets, sent_back]])

    # X refuses a text the account posted in the last day (duplicate content): that one fails.
    assert [outcomes[t.pk] for t in targets] == ["published", "published", "failed", "published"]
    assert outcomes[sent_back.pk] == "unscheduled"
    states = dict(PostTarget.objects.values_list("pk", "state"))
    assert [states[t.pk] for t in targets] == [S.PUBLISHED, S.PUBLISHED, S.FAILED, S.PUBLISHED]
    assert states[sent_back.pk] == S.DRAFT
    on_x = emulator.control("GET", f"posts?platform=x&account_id={x.external_id}")
    assert sorted(post["text"] for post in on_x) == sorted(["Already on X", *texts[:2], texts[3]])
    published = PostTarget.objects.filter(state=S.PUBLISHED)
    assert len({t.platform_post_id for t in published}) == 4
    assert set(Post.objects.filter(targets__in=published).values_list("stage", flat=True)) == {
        Post.Stage.PUBLISHED
    }
    assert publisher.publish_many([t.pk for t in targets]) == dict.fromkeys(
        [t.pk for t in targets], "skipped"
    )  # a redelivered task sends nothing again


def test_a_batch_shares_its_queries(accounts, emulator, scheduled_post, celery_queue):
    def queries_to_publish(count: int, name: str) -> int:
        targets = [
            scheduled_post([accounts["x"]], f"{name} {i}").targets.get() for i in range(count)
        ]
        assert publisher.dispatch_due() == count
        with CaptureQueriesContext(connection) as queries:
            outcomes = publisher.publish_many([t.pk for t in targets])
        assert set(outcomes.values()) == {"published"}
        return len(queries)

    few, many = queries_to_publish(2, "Few"), queries_to_publish(12, "Many")

    # The claim, the load, the plan, the media, the outcomes and the settling are one each
    # for the batch; what grows is the checkpoint X's post id is saved in, one per post.
    assert many - few <= 10, (few, many)
    assert few <= 14, few


@pytest.mark.django_db(transaction=True)
def test_a_post_whose_network_hangs_is_handed_off_and_still_recorded(
    accounts, emulator, scheduled_post, celery_queue, settings
):
    settings.PUBLISH_HAND_OFF_SECONDS = 0.3
    targets = [scheduled_post([accounts["x"]], f"Hangs {i}").targets.get() for i in range(3)]
    assert publisher.dispatch_due() == 3
    emulator.fail_next("x", "x.tweets", "slow", delay=1.5)  # X answers, but late

    outcomes = publisher.publish_many([t.pk for t in targets])

    assert Counter(outcomes.values()) == {"published": 2, "handed off": 1}
    wait_for(lambda: PostTarget.objects.filter(state=S.PUBLISHED).count() == 3, timeout=20)
    on_x = emulator.control("GET", f"posts?platform=x&account_id={accounts['x'].external_id}")
    assert sorted(post["text"] for post in on_x) == [f"Hangs {i}" for i in range(3)]
    assert Post.objects.filter(stage=Post.Stage.PUBLISHED).count() == 3
