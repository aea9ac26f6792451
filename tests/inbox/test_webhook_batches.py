"""The processing task stores its delivery together with the others waiting, in one
transaction (inbox/ingest_batch.py), with the guarantees of one-at-a-time processing: every
item in its thread, nothing twice, nothing deleted brought back, every workspace that
connected the account served, and a bad delivery held back alone with its error."""

from __future__ import annotations

import json

import pytest

from connections.models import ConnectedAccount
from inbox import deliveries
from inbox.models import Conversation, Message, WebhookDelivery
from inbox.retention import delete_conversation_by_id
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

PAGE = "20000000000001"
T0 = 1777629600  # seconds


@pytest.fixture
def page(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="facebook", external_id=PAGE, display_name="Acme Page"
    )


def message(mid: str, sender: str, at: int | str, text: str = "hello") -> dict:
    """A Messenger event as Meta sends it (developers.facebook.com/docs/messenger-platform/
    webhooks): the sender's id only, milliseconds."""
    return {
        "sender": {"id": sender},
        "recipient": {"id": PAGE},
        "timestamp": at * 1000 if isinstance(at, int) else at,
        "message": {"mid": mid, "text": text},
    }


def comment(comment_id: str, parent: str, at: int, name: str = "Rui Costa") -> dict:
    """A Page feed comment change (developers.facebook.com/docs/graph-api/webhooks/
    reference/page/#feed): parent_id is the post for a top-level comment."""
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": f"{PAGE}_1",
            "parent_id": parent,
            "message": f"comment {comment_id}",
            "from": {"id": "800001", "name": name},
            "created_time": at,
        },
    }


def stored(*, messaging: list[dict] = (), changes: list[dict] = ()) -> int:
    entry = {"id": PAGE, "time": T0 * 1000, "messaging": list(messaging), "changes": list(changes)}
    body = json.dumps({"object": "page", "entry": [entry]}).encode()
    return WebhookDelivery.objects.create(platform="meta", body=body).pk


def test_one_task_stores_every_waiting_delivery_in_its_thread(page):
    first = stored(messaging=[message("m1", "900001", T0, "Olá")])
    stored(messaging=[message("m2", "900001", T0 + 5, "Still there?")])
    stored(messaging=[message("m3", "900002", T0 + 1)])
    stored(changes=[comment("c1", f"{PAGE}_1", T0)])
    stored(changes=[comment("c2", "c1", T0 + 2, name="Ana Lima")])  # answers c1

    assert deliveries.process_batch(first) == 5

    assert not WebhookDelivery.objects.exists()
    threads = {(c.kind, c.thread_key): c for c in Conversation.objects.filter(account=page)}
    assert set(threads) == {("message", "900001"), ("message", "900002"), ("comment", "c1")}
    ana = threads[("message", "900001")]
    assert list(ana.messages.values_list("external_id", flat=True)) == ["m1", "m2"]
    assert ana.preview == "Still there?"
    assert ana.last_message_at.timestamp() == T0 + 5
    assert ana.workspace == page.workspace
    comments = threads[("comment", "c1")]
    assert list(comments.messages.values_list("external_id", flat=True)) == ["c1", "c2"]
    assert comments.participant_name == "Ana Lima"  # the newest commenter
    assert comments.search_name == "ana lima"
    assert Message.objects.get(external_id="m1").search_text == "ola"


def test_a_batch_adds_to_threads_that_exist_and_reopens_resolved_ones(page):
    deliveries.process(stored(messaging=[message("m1", "900001", T0)]))
    thread = Conversation.objects.get()
    thread.status = Conversation.Status.RESOLVED
    thread.save()
    first = stored(messaging=[message("m2", "900001", T0 + 60, "One more thing")])

    assert deliveries.process_batch(first) == 1

    thread.refresh_from_db()
    assert thread.status == Conversation.Status.OPEN
    assert thread.preview == "One more thing"
    assert thread.messages.count() == 2


def test_an_event_repeated_in_a_batch_or_stored_before_is_stored_once(page):
    deliveries.process(stored(messaging=[message("m1", "900001", T0)]))
    first = stored(messaging=[message("m1", "900001", T0)])
    stored(messaging=[message("m2", "900001", T0 + 1)])
    stored(messaging=[message("m2", "900001", T0 + 1)])

    assert deliveries.process_batch(first) == 1

    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m1", "m2"]
    assert not WebhookDelivery.objects.exists()


def test_a_deleted_thread_stays_deleted_when_its_events_come_again(page):
    deliveries.process(stored(messaging=[message("m1", "900001", T0)]))
    delete_conversation_by_id(Conversation.objects.get().pk)
    first = stored(messaging=[message("m1", "900001", T0)])
    stored(messaging=[message("m9", "900009", T0)])

    assert deliveries.process_batch(first) == 1

    assert list(Message.objects.values_list("external_id", flat=True)) == ["m9"]


def test_every_workspace_that_connected_the_page_gets_the_message(page):
    other = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="facebook", external_id=PAGE, display_name="P"
    )
    first = stored(messaging=[message("m1", "900001", T0)])

    assert deliveries.process_batch(first) == 2

    for account in (page, other):
        thread = Conversation.objects.get(account=account)
        assert thread.workspace_id == account.workspace_id
        assert thread.messages.get().account == account


def test_a_bad_delivery_keeps_its_error_and_the_others_are_stored(page):
    first = stored(messaging=[message("m1", "900001", T0)])
    bad = stored(messaging=[message("m_bad", "900002", "yesterday")])
    stored(messaging=[message("m3", "900003", T0)])

    assert deliveries.process_batch(first) == 2  # the bad one is not this task's

    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m1", "m3"]
    left = WebhookDelivery.objects.get()
    assert (left.pk, left.attempts) == (bad, 1)
    assert left.error.startswith("ValueError")


def test_the_task_of_a_bad_delivery_fails_so_it_is_retried(page):
    bad = stored(messaging=[message("m_bad", "900002", "yesterday")])
    stored(messaging=[message("m3", "900003", T0)])

    with pytest.raises(ValueError, match="yesterday"):
        deliveries.process_batch(bad)

    assert list(Message.objects.values_list("external_id", flat=True)) == ["m3"]
    assert WebhookDelivery.objects.get().pk == bad


def test_a_delivery_that_failed_before_waits_for_its_own_retry(page):
    first = stored(messaging=[message("m1", "900001", T0)])
    failed = stored(messaging=[message("m2", "900002", T0)])
    WebhookDelivery.objects.filter(pk=failed).update(attempts=1, error="Boom")

    assert deliveries.process_batch(first) == 1
    assert WebhookDelivery.objects.get().pk == failed

    assert deliveries.process_batch(failed) == 1  # its own task takes it
    assert not WebhookDelivery.objects.exists()


def test_a_task_whose_delivery_is_done_takes_the_waiting_ones(page):
    deliveries.process(done := stored(messaging=[message("m1", "900001", T0)]))
    stored(messaging=[message("m2", "900002", T0)])

    assert deliveries.process_batch(done) == 1
    assert deliveries.process_batch(done) == 0
    assert not WebhookDelivery.objects.exists()


def test_a_batch_takes_at_most_batch_size_deliveries(page, monkeypatch):
    monkeypatch.setattr(deliveries, "BATCH_SIZE", 3)
    ids = [stored(messaging=[message(f"m{i}", f"90000{i}", T0)]) for i in range(5)]

    assert deliveries.process_batch(ids[-1]) == 3  # its own and the two oldest

    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == ids[2:4]


def test_the_queries_do_not_grow_with_the_batch(page, django_assert_max_num_queries, caplog):
    """Comments carry their author's name, so no profile lookup: all queries are the batch's."""

    def run(count: int, tag: str) -> int:
        ids = [stored(changes=[comment(f"{tag}{i}", f"{PAGE}_1", T0)]) for i in range(count)]
        with django_assert_max_num_queries(16) as captured:
            assert deliveries.process_batch(ids[0]) == count
        return len(captured)

    assert run(2, "a") == run(40, "b")
    assert "failed" not in caplog.text  # stored as a batch, not one by one


def test_a_full_batch_sends_a_task_for_the_deliveries_still_waiting(page, celery_queue):
    ids = [
        stored(messaging=[message(f"m{n}", f"9{n:05d}", T0 + n)])
        for n in range(deliveries.BATCH_SIZE + 3)
    ]

    assert deliveries.process_batch(ids[0]) == deliveries.BATCH_SIZE

    left = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
    assert left == ids[deliveries.BATCH_SIZE :]
    assert celery_queue() == [("inbox.tasks.process_delivery", [left[0]])]
    assert deliveries.process_batch(left[0]) == 3
    assert Message.objects.count() == deliveries.BATCH_SIZE + 3
