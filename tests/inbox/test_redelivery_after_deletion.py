"""A thread someone deleted stays deleted: a platform that retries or replays a signed
delivery of it (Meta retries for hours, X offers replays) must not bring it back, while a new
message from the same person still arrives. Events older than the workspace's retention are
not stored either."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox.models import Conversation, DeletedMessageMarker, Message
from retention.engine import run

pytestmark = pytest.mark.django_db

PAGE = "20000000000077"


def _delivery(mid: str, text: str, sent_at=None) -> bytes:
    millis = int((sent_at or timezone.now()).timestamp() * 1000)
    payload = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": millis,
                "messaging": [
                    {
                        "sender": {"id": "900077"},
                        "recipient": {"id": PAGE},
                        "timestamp": millis,
                        "message": {"mid": mid, "text": text},
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def _post(client, body: bytes) -> int:
    # Signed as Meta signs (X-Hub-Signature-256: hex HMAC-SHA256 with the app secret).
    key = settings.PLATFORM_CREDENTIALS["meta"][1].encode()
    signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    response = client.post(
        "/webhooks/meta/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )
    return response.status_code


@pytest.fixture
def page(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="facebook", external_id=PAGE, display_name="Acme Page"
    )


def test_a_replayed_delivery_of_a_deleted_thread_stays_deleted(
    client, owner, page, process_deliveries, django_capture_on_commit_callbacks
):
    first = _delivery("m_replay_1", "Please delete my address: 12 Rua Nova")
    assert _post(client, first) == 200
    assert process_deliveries() == 1
    conversation = Conversation.objects.get(account=page)

    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inbox_delete", args=["acme", conversation.pk]))
    assert response.status_code == 302
    assert not Conversation.objects.filter(account=page).exists()
    # What stays is a keyed digest, never the id or the text.
    marker = DeletedMessageMarker.objects.get(account=page)
    assert "m_replay_1" not in marker.digest
    assert len(marker.digest) == 64

    # The platform delivers the same signed event again.
    assert _post(client, first) == 200
    assert process_deliveries() == 0
    assert not Conversation.objects.filter(account=page).exists()
    assert not Message.objects.filter(text__contains="Rua Nova").exists()

    # The same person writing again is a new message, and it arrives.
    assert _post(client, _delivery("m_replay_2", "Thanks!")) == 200
    assert process_deliveries() == 1
    assert list(Message.objects.values_list("text", flat=True)) == ["Thanks!"]


def test_an_event_older_than_the_retention_period_is_not_stored(page, client, process_deliveries):
    page.workspace.inbox_retention_days = 30
    page.workspace.save(update_fields=["inbox_retention_days"])
    old = timezone.now() - timedelta(days=31)
    assert _post(client, _delivery("m_old", "From last month", sent_at=old)) == 200
    assert _post(client, _delivery("m_new", "From today")) == 200
    assert process_deliveries() == 1
    assert list(Message.objects.values_list("external_id", flat=True)) == ["m_new"]


def test_markers_go_after_thirty_days(page):
    stale = DeletedMessageMarker.objects.create(
        account=page, digest="a" * 64, deleted_at=timezone.now() - timedelta(days=31)
    )
    fresh = DeletedMessageMarker.objects.create(account=page, digest="b" * 64)
    run()
    assert list(DeletedMessageMarker.objects.all()) == [fresh]
    assert not DeletedMessageMarker.objects.filter(pk=stale.pk).exists()
