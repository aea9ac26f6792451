"""Emailing everyone about a material change: once per person, however often it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from legal import documents, tasks
from legal.models import PolicyAnnouncement
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_documents")]


@pytest.fixture
def people(db):
    joined = timezone.now() - timedelta(days=60)
    return [UserFactory(email=f"p{i}@example.test", date_joined=joined) for i in range(3)]


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_every_active_user_is_emailed_once_even_when_the_task_runs_twice(
    people, make_version, settings
):
    settings.SITE_URL = "https://app.mixora.test"
    UserFactory(email="gone@example.test", is_active=False, date_joined=people[0].date_joined)
    version = make_version("privacy-policy", material=True, summary="Logs now go after 90 days.")

    assert tasks.announce_material_change(version.pk) == 3
    assert tasks.announce_material_change(version.pk) == 0

    assert _recipients() == ["p0@example.test", "p1@example.test", "p2@example.test"]
    assert PolicyAnnouncement.objects.filter(version=version).count() == 3
    message = mail.outbox[0]
    assert message.subject == "Privacy policy: what's changing"
    assert "Logs now go after 90 days." in message.body
    assert f"https://app.mixora.test/legal/privacy-policy/v{version.version}/" in message.body
    html = message.alternatives[0].content
    assert "Logs now go after 90 days." in html
    assert "https://app.mixora.test/legal/privacy-policy/versions/" in html


def test_batches_queue_the_next_batch_and_nobody_twice(people, make_version, celery_queue):
    version = make_version("cookie-policy", material=True)

    assert tasks.announce_material_change(version.pk, batch_size=2) == 2
    assert celery_queue() == [("legal.tasks.announce_material_change", [version.pk, 2])]
    assert tasks.announce_material_change(version.pk, batch_size=2) == 1
    assert tasks.announce_material_change(version.pk, batch_size=2) == 0

    assert len(celery_queue()) == 1  # the last two runs found nobody left to queue for
    assert _recipients() == ["p0@example.test", "p1@example.test", "p2@example.test"]


def test_people_who_joined_after_publication_are_not_emailed(people, make_version):
    version = make_version("privacy-policy", material=True)
    UserFactory(email="late@example.test", date_joined=version.published_at + timedelta(seconds=1))
    tasks.announce_material_change(version.pk)
    assert "late@example.test" not in _recipients()
    assert len(mail.outbox) == 3


def test_non_material_and_unpublished_versions_send_nothing(people, make_version):
    plain = make_version("privacy-policy", material=False)
    draft = make_version("cookie-policy", material=True, publish=False)

    assert tasks.announce_material_change(plain.pk) == 0
    assert tasks.announce_material_change(draft.pk) == 0
    assert tasks.announce_material_change(987654) == 0

    assert mail.outbox == []
    assert not PolicyAnnouncement.objects.exists()


def test_publishing_a_material_version_queues_the_announcement_after_commit(
    people, make_version, celery_queue, django_capture_on_commit_callbacks
):
    material = make_version("privacy-policy", material=True, publish=False, days_ago=-1)
    plain = make_version("cookie-policy", material=False, publish=False)

    with django_capture_on_commit_callbacks(execute=True):
        documents.publish(plain, by=None)
    assert celery_queue() == []

    with django_capture_on_commit_callbacks(execute=True):
        documents.publish(material, by=None)
    assert celery_queue() == [("legal.tasks.announce_material_change", [material.pk])]
    assert mail.outbox == []  # nothing is sent in the request; the worker sends
