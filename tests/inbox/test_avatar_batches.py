"""A webhook batch's new people get their pictures copied by one task: the downloads at the
same time, each picture stored once under its URL's digest, a failure costing only its own
picture (retried alone, with the single task's policy), and the same few queries whatever
the batch's size."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import datetime

import pytest
import redis
from celery.exceptions import Retry
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections.errors import Retryable
from connections.models import ConnectedAccount
from inbox import avatars, deliveries
from inbox.models import Conversation
from inbox.tasks import MAX_RETRIES, RETRY_BACKOFF, fetch_participant_avatars
from mixora.queues import INBOX, queue_names
from tests.factories import WorkspaceFactory
from tests.inbox.test_avatars import JPEG, PictureHost, host  # noqa: F401 - `host`: a fixture
from tests.inbox.test_enrich_batches import delivery, page, person  # noqa: F401 - `page`

TASK = "inbox.tasks.fetch_participant_avatars"


def picture_tasks() -> list[dict]:
    """The picture tasks waiting on the inbox queue, oldest first: name, args and headers."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    found = []
    for raw in reversed(client.lrange(queue_names((INBOX,))[0], 0, -1)):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"]["task"].startswith("inbox.tasks.fetch_participant_avatar"):
            found.append({"task": message["headers"]["task"], "args": args, **message})
    return found


def stored_files(workspace_id: int) -> list[str]:
    return sorted(default_storage.listdir(f"inbox/avatars/{workspace_id}")[1])


@pytest.fixture
def pictures(host: PictureHost, settings) -> PictureHost:  # noqa: F811
    """The picture host, with room for a batch's connections: past its listen backlog (5) a
    connection waits for the SYN's retransmission, 1 s later."""
    settings.PLATFORM_HTTP_TIMEOUT = (3, 1)
    return host


@pytest.fixture
def threads(db):
    """make(*urls) -> one named thread per picture URL, in a workspace of their own."""
    workspace = WorkspaceFactory()
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="A"
    )

    def make(*urls: str) -> list[Conversation]:
        start = Conversation.objects.count()
        return [
            Conversation.objects.create(
                workspace=workspace,
                account=account,
                kind="message",
                thread_key=f"c{start + n}",
                participant_id=f"c{start + n}",
                participant_name=f"Person {start + n}",
                participant_avatar_url=url,
            )
            for n, url in enumerate(urls)
        ]

    return make


@pytest.mark.django_db
def test_a_batch_of_new_people_queues_one_task_that_stores_each_picture_once(
    page,  # noqa: F811
    emulator,
    celery_queue,  # the queues emptied before and after
    django_capture_on_commit_callbacks,
):
    people = [f"76000{n}" for n in range(6)]
    for psid in people:
        person(emulator, page, psid, f"Person {psid}")
    ids = [delivery(page, f"m{n}", psid) for n, psid in enumerate(people)]

    with django_capture_on_commit_callbacks(execute=True):
        deliveries.process_batch(ids[0])

    conversations = list(Conversation.objects.order_by("pk"))
    pks = [c.pk for c in conversations]
    assert [(t["task"], t["args"]) for t in picture_tasks()] == [(TASK, [pks])]

    assert fetch_participant_avatars(pks) == dict.fromkeys(pks, "stored")

    workspace_id = page.workspace_id
    expected = []
    for conversation in conversations:
        url = conversation.participant_avatar_url
        conversation.refresh_from_db()
        # Named by the thread and the URL's digest: the platform's URL is nowhere in it.
        name = f"{conversation.pk}-{avatars.source_key(url)}.png"
        assert conversation.participant_avatar.name == f"inbox/avatars/{workspace_id}/{name}"
        expected.append(name)
    assert stored_files(workspace_id) == sorted(expected)
    # Again: every picture is up to date, nothing is fetched or stored twice.
    assert fetch_participant_avatars(pks) == dict.fromkeys(pks, "up to date")
    assert stored_files(workspace_id) == sorted(expected)


@pytest.mark.django_db
def test_a_failing_picture_leaves_the_others_stored_and_is_retried_alone(
    pictures,
    threads,
    celery_queue,  # the queues emptied before and after
):
    good = [pictures.serve(f"/good{n}.jpg", body=JPEG, Content_Type="image/jpeg") for n in range(3)]
    busy = pictures.serve("/busy.jpg", status=503, Content_Type="text/plain")
    svg = pictures.serve("/refused.svg", body=b"<svg/>", Content_Type="image/svg+xml")
    first, second, busy_thread, refused, third = threads(good[0], good[1], busy, svg, good[2])
    pks = [first.pk, second.pk, busy_thread.pk, refused.pk, third.pk]

    # As a worker runs it: the retry goes to the broker (a direct call would only raise).
    fetch_participant_avatars.push_request(id="first-try", retries=0, called_directly=False)
    try:
        with pytest.raises(Retry):
            fetch_participant_avatars.run(pks)
    finally:
        fetch_participant_avatars.pop_request()

    for conversation in (first, second, third):
        conversation.refresh_from_db()
        assert default_storage.exists(conversation.participant_avatar.name)
    refused.refresh_from_db()
    busy_thread.refresh_from_db()
    assert not refused.participant_avatar
    assert not busy_thread.participant_avatar
    # Each fetched once.
    assert sorted(pictures.hits) == [
        "/busy.jpg",
        "/good0.jpg",
        "/good1.jpg",
        "/good2.jpg",
        "/refused.svg",
    ]
    # Only the picture that may work later goes again, with the single task's backoff.
    [retry] = picture_tasks()
    assert (retry["task"], retry["args"]) == (TASK, [[busy_thread.pk]])
    assert retry["headers"]["retries"] == 1
    eta = retry["headers"]["eta"]  # none when the jitter drew a countdown of 0
    wait = datetime.fromisoformat(eta).timestamp() - time.time() if eta else 0
    assert -5 < wait <= RETRY_BACKOFF

    # Its last try: the task fails as the single one does; the batch's others are stored.
    fourth = threads(pictures.serve("/good3.jpg", body=JPEG, Content_Type="image/jpeg"))[0]
    fetch_participant_avatars.push_request(
        id="last-try", retries=MAX_RETRIES, called_directly=False
    )
    try:
        with pytest.raises(Retryable, match="answered 503"):
            fetch_participant_avatars.run([busy_thread.pk, fourth.pk])
    finally:
        fetch_participant_avatars.pop_request()
    fourth.refresh_from_db()
    assert default_storage.exists(fourth.participant_avatar.name)
    assert len(picture_tasks()) == 1  # nothing more queued


def test_the_queries_of_a_picture_batch_do_not_grow_with_its_size(pictures, threads):
    def run(count: int, tag: str) -> int:
        urls = [
            pictures.serve(f"/{tag}{n}.jpg", body=JPEG, Content_Type="image/jpeg")
            for n in range(count)
        ]
        pks = [c.pk for c in threads(*urls)]
        with CaptureQueriesContext(connection) as captured:
            assert avatars.fetch_many(pks).outcomes == dict.fromkeys(pks, "stored")
        return len(captured)

    assert run(2, "a") == run(12, "b") == 2  # one SELECT, one UPDATE


def test_the_downloads_of_a_batch_run_at_the_same_time(pictures, threads):
    urls = [
        pictures.serve(f"/slow{n}.jpg", body=JPEG, Content_Type="image/jpeg", delay=0.5)
        for n in range(6)
    ]
    pks = [c.pk for c in threads(*urls)]

    start = time.monotonic()
    copies = avatars.fetch_many(pks)

    assert time.monotonic() - start < 2.0  # one after another: 3 s of waiting
    assert copies.outcomes == dict.fromkeys(pks, "stored")


def test_a_picture_not_come_by_the_deadline_is_left_for_a_retry(pictures, threads):
    quick = pictures.serve("/quick.jpg", body=JPEG, Content_Type="image/jpeg")
    slow = pictures.serve("/slow.jpg", body=JPEG, Content_Type="image/jpeg", delay=0.8)
    quick_thread, slow_thread = threads(quick, slow)

    copies = avatars.fetch_many([quick_thread.pk, slow_thread.pk], deadline=0.3)

    assert copies.outcomes == {quick_thread.pk: "stored"}
    assert list(copies.later) == [slow_thread.pk]
    slow_thread.refresh_from_db()
    assert not slow_thread.participant_avatar


@pytest.mark.django_db(transaction=True)
def test_a_thread_deleted_while_the_batch_downloads_gets_no_file(pictures, threads):
    kept, deleted = threads(
        pictures.serve("/kept.jpg", body=JPEG, Content_Type="image/jpeg"),
        pictures.serve("/deleted.jpg", body=JPEG, Content_Type="image/jpeg", delay=0.6),
    )
    # Deleted by someone else while its picture is on its way.
    remover = threading.Timer(0.2, lambda: Conversation.objects.filter(pk=deleted.pk).delete())
    remover.start()

    copies = avatars.fetch_many([kept.pk, deleted.pk])
    remover.join()

    assert copies.outcomes == {kept.pk: "stored", deleted.pk: "outdated"}
    kept.refresh_from_db()
    assert stored_files(kept.workspace_id) == [kept.participant_avatar.name.rsplit("/", 1)[1]]
