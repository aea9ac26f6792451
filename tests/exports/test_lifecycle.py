"""Requesting, building, telling, expiring and deleting exports."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from exports import services
from exports.models import DataExport
from exports.signals import export_ready
from notifications.models import Notification
from tests.exports.conftest import built
from tests.factories import UserFactory

Status = DataExport.Status


@pytest.fixture
def user(db):
    return UserFactory(email="pat@example.test", full_name="Pat")


def test_request_enqueues_the_build_once_committed(
    user, celery_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = services.request_export(user)
    assert celery_queue() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert celery_queue() == [("exports.tasks.build_export", [export.pk])]
    assert export.status == Status.QUEUED
    assert export.privacy_request_id is None


def test_one_export_in_progress_at_a_time(user):
    first = services.request_export(user)
    assert services.request_export(user) == first
    # A privacy request asking while the person's own export runs is answered by it.
    again = services.request_export(user, privacy_request=SimpleNamespace(pk=42))
    assert again == first
    first.refresh_from_db()
    assert first.privacy_request_id == 42
    assert DataExport.objects.filter(user=user).count() == 1

    assert services.build(first.pk) == "ready"
    second = services.request_export(user)
    assert second != first
    assert second.status == Status.QUEUED


def test_the_database_refuses_a_second_export_in_progress(user):
    DataExport.objects.create(user=user, status=Status.BUILDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.create(user=user)
    DataExport.objects.create(user=user, status=Status.FAILED)  # finished ones are fine


def test_an_export_lost_in_progress_is_replaced(user):
    lost = services.request_export(user)
    DataExport.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    )
    fresh = services.request_export(user)
    assert fresh != lost
    lost.refresh_from_db()
    assert lost.status == Status.FAILED
    # ...and its task, should it still arrive, builds nothing.
    assert services.build(lost.pk) == "skipped"


def test_building_twice_keeps_one_file(user):
    export = built(user)
    assert services.build(export.pk) == "skipped"
    assert DataExport.objects.get(pk=export.pk).file.name == export.file.name
    assert default_storage.exists(export.file.name)


def test_ready_export_is_private_and_its_owner_is_told(user):
    received = []

    def receiver(sender, export, **kwargs):
        received.append(export.pk)

    export_ready.connect(receiver)
    try:
        export = built(user)
    finally:
        export_ready.disconnect(receiver)
    assert received == [export.pk]
    assert export.status == Status.READY
    assert export.expires_at == export.ready_at + timedelta(days=7)
    assert export.size == default_storage.size(export.file.name) > 0
    # A random, unguessable name that says nothing about the person.
    assert re.fullmatch(r"exports/[A-Za-z0-9_-]{43}\.zip", export.file.name)

    message = mail.outbox[-1]
    assert message.to == [user.email]
    assert message.subject == "Your Mixora data export is ready"
    link = services.download_url(export, absolute=True).split("/privacy/exports/")[0]
    assert f"{link}/privacy/exports/" in message.body
    token = message.body.split("/privacy/exports/")[1].split("/")[0]
    assert services.export_from_token(token) == export
    assert "don't forward this email" in message.body
    note = Notification.objects.get(user=user)
    assert note.message == "Your data export is ready to download."


def test_a_storage_failure_fails_the_export_and_says_so(user, settings):
    export = services.request_export(user)
    options = {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    assert services.build(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == Status.FAILED
    assert "NoSuchBucket" in export.error
    assert not export.file
    assert mail.outbox[-1].subject == "We couldn't prepare your Mixora data export"
    assert "/privacy/exports/" in mail.outbox[-1].body
    # The person can ask again straight away.
    assert services.request_export(user) != export


def test_an_account_deleted_meanwhile_gets_no_export(user):
    export = services.request_export(user)
    user.is_active = False
    user.save()
    assert services.build(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.file.name) == (Status.FAILED, "")
    assert mail.outbox == []


def test_delete_expired_removes_the_file(user):
    export = built(user)
    name = export.file.name
    assert services.delete_expired(now=export.expires_at - timedelta(seconds=1)) == 0
    assert default_storage.exists(name)

    assert services.delete_expired(now=export.expires_at) == 1
    assert not default_storage.exists(name)
    export.refresh_from_db()
    assert (export.status, export.file.name) == (Status.EXPIRED, "")
    assert services.delete_expired(now=export.expires_at + timedelta(days=1)) == 0


def test_deleting_a_persons_exports_deletes_their_files(user, django_capture_on_commit_callbacks):
    names = [built(user).file.name, built(user).file.name]
    other = built(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delete_for_user(user) == 2
    assert not any(default_storage.exists(n) for n in names)
    assert default_storage.exists(other.file.name)


def test_daily_limit(user):
    now = timezone.now()
    for hours in (23, 10, 1):
        DataExport.objects.create(
            user=user, status=Status.READY, requested_at=now - timedelta(hours=hours)
        )
    with pytest.raises(services.UserFacingError, match="3 exports a day"):
        services.check_daily_limit(user, now=now)
    # Exports answering a privacy request do not count; the oldest leaves the window.
    DataExport.objects.create(user=user, status=Status.FAILED, privacy_request_id=7)
    services.check_daily_limit(user, now=now + timedelta(hours=1, minutes=1))
