"""After a batch of Messenger deliveries commits, the senders of unnamed threads are looked up
on the emulator's User Profile API (one lookup per thread, several at once) and written
together: every name arrives, a failed lookup costs only its own thread its name, and the
queries do not grow with the number of people."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import ConnectedAccount
from inbox import deliveries
from inbox.models import Conversation, Message, WebhookDelivery
from tests.connections.consent import callback_path, consent
from tests.publishing_fixtures import SEEDED

pytestmark = pytest.mark.django_db

T0 = 1777629600  # seconds


@pytest.fixture
def page(client, owner, emulator) -> ConnectedAccount:
    """The emulator's seeded Facebook Page, connected through the real Meta OAuth flow (its
    token is what the profile lookups use)."""
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=["acme", "meta"]))
    back = client.get(callback_path(consent(start["Location"])))
    options = client.get(back["Location"]).context["options"]
    client.post(back["Location"], {"accounts": [o["key"] for o in options]})
    return owner.workspace.connected_accounts.get(external_id=SEEDED["facebook"][0])


def person(emulator, page: ConnectedAccount, psid: str, name: str) -> None:
    """Someone who messaged the Page (the emulator answers lookups only for them); the webhook
    is stored by the test itself, so it is held back."""
    emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "message",
            "account_id": page.external_id,
            "from": {"id": psid, "name": name},
            "text": "hello",
            "deliver": False,
        },
    )


def delivery(page: ConnectedAccount, mid: str, psid: str) -> int:
    """A Messenger webhook as Meta sends it: the sender's id only."""
    event = {
        "sender": {"id": psid},
        "recipient": {"id": page.external_id},
        "timestamp": T0 * 1000,
        "message": {"mid": mid, "text": "Olá!"},
    }
    entry = {"id": page.external_id, "time": T0 * 1000, "messaging": [event]}
    body = json.dumps({"object": "page", "entry": [entry]}).encode()
    return WebhookDelivery.objects.create(platform="meta", body=body).pk


def lookups(emulator) -> int:
    return len(emulator.requests("meta", "meta.node"))


def backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def names() -> dict[str, str]:
    return dict(Conversation.objects.values_list("participant_id", "participant_name"))


def test_every_new_person_of_a_batch_gets_their_name_with_one_lookup_each(page, emulator):
    people = {f"71000{n}": f"Customer Number{n}" for n in range(6)}
    for psid, name in people.items():
        person(emulator, page, psid, name)
    ids = [delivery(page, f"m{n}", psid) for n, psid in enumerate(people)]
    ids.append(delivery(page, "m-again", "710000"))  # a second message in one thread
    before, open_connections = lookups(emulator), backends()

    assert deliveries.process_batch(ids[0]) == 7

    assert lookups(emulator) - before == 6  # one per thread
    assert names() == people
    assert {
        m.sender_name for m in Message.objects.filter(conversation__participant_id="710000")
    } == {"Customer Number0"}
    assert dict(Message.objects.values_list("external_id", "sender_name"))["m3"] == (
        "Customer Number3"
    )
    found = Conversation.objects.get(participant_id="710004")
    assert found.search_name == "customer number4"  # what the inbox's search matches
    assert found.participant_avatar_url.startswith(emulator.url)
    assert backends() == open_connections  # the lookup threads left no connection open


@pytest.mark.parametrize("failure", ["refused", "timed out"])
def test_a_failed_lookup_costs_only_its_own_thread_its_name(page, emulator, settings, failure):
    people = {f"72000{n}": f"Named Person{n}" for n in range(5)}
    for psid, name in people.items():
        person(emulator, page, psid, name)
    psids = list(people)
    if failure == "refused":  # never messaged the Page: the Graph API refuses the lookup
        psids.append("729999")
    else:  # one lookup, whichever is sent first, answers after the read timeout
        settings.PLATFORM_HTTP_TIMEOUT = (2, 0.5)
        emulator.fail_next("meta", "meta.node", "slow", delay=1.5)
    ids = [delivery(page, f"m{n}", psid) for n, psid in enumerate(psids)]
    before = lookups(emulator)

    assert deliveries.process_batch(ids[0]) == len(psids)

    assert lookups(emulator) - before == len(psids)
    got = names()
    unnamed = {psid for psid, name in got.items() if not name}
    assert len(unnamed) == 1
    assert failure == "timed out" or unnamed == {"729999"}
    assert all(got[psid] == name for psid, name in people.items() if psid not in unnamed)
    assert Message.objects.filter(sender_name="").count() == 1  # its message shows the id


def test_the_lookups_of_a_batch_run_at_the_same_time(page, emulator):
    people = [f"73000{n}" for n in range(6)]
    for psid in people:
        person(emulator, page, psid, f"Slow Person {psid}")
    ids = [delivery(page, f"m{n}", psid) for n, psid in enumerate(people)]
    emulator.fail_next("meta", "meta.node", "slow", count=6, delay=0.5)  # then answers

    start = time.monotonic()
    deliveries.process_batch(ids[0])

    assert time.monotonic() - start < 2.0  # one after another: 3 s of waiting
    assert "" not in names().values()


def test_the_queries_of_a_batch_do_not_grow_with_its_new_people(page, emulator):
    def run(count: int, tag: str) -> int:
        people = [f"74{tag}{n:03d}" for n in range(count)]
        for psid in people:
            person(emulator, page, psid, f"Person {psid}")
        ids = [delivery(page, f"m{tag}{n}", psid) for n, psid in enumerate(people)]
        with CaptureQueriesContext(connection) as captured:
            assert deliveries.process_batch(ids[0]) == count
        assert (
            Conversation.objects.filter(participant_id__in=people, participant_name="").count() == 0
        )
        return len(captured)

    assert run(2, "1") == run(12, "2")


def test_a_name_longer_than_the_column_is_cut_and_the_batch_is_written(page, emulator):
    long_name = "Maria " + "da Silva " * 40  # 366 characters; the column holds 200
    person(emulator, page, "750000", long_name)
    person(emulator, page, "750001", "Short Name")
    ids = [delivery(page, "m0", "750000"), delivery(page, "m1", "750001")]

    deliveries.process_batch(ids[0])

    got = names()
    assert got == {"750000": long_name[:200], "750001": "Short Name"}
