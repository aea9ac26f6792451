"""The exports page and panel, the request form and the download link."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exports import services
from exports.models import DataExport
from tests.exports.conftest import built
from tests.factories import UserFactory

Status = DataExport.Status


@pytest.fixture
def user(db):
    return UserFactory(email="pat@example.test", full_name="Pat")


def _stored(export: DataExport) -> bytes:
    with default_storage.open(export.file.name, "rb") as stored:
        return stored.read()


def _follow_to_bucket(response) -> requests.Response:
    assert response.status_code == 302
    assert response["Cache-Control"].startswith("max-age=0")
    fetched = requests.get(response["Location"], timeout=10)
    fetched.raise_for_status()
    return fetched


def test_the_emailed_link_works_without_logging_in(client, user):
    export = built(user)
    response = client.get(services.download_url(export))
    fetched = _follow_to_bucket(response)
    assert fetched.content == _stored(export)
    assert fetched.headers["Content-Disposition"] == (
        f'attachment; filename="mixora-data-{export.ready_at:%Y-%m-%d}.zip"'
    )
    # The bucket's link is short-lived (SigV2 query auth: an absolute epoch time).
    expires = int(parse_qs(urlsplit(response["Location"]).query)["Expires"][0])
    assert 0 < expires - timezone.now().timestamp() <= 61
    export.refresh_from_db()
    assert export.download_count == 1
    assert export.last_downloaded_at is not None


def test_the_owner_logged_in_downloads_it(client, user):
    export = built(user)
    client.force_login(user)
    assert _follow_to_bucket(client.get(services.download_url(export))).content == _stored(export)


def test_someone_else_logged_in_gets_404(client, user):
    export = built(user)
    client.force_login(UserFactory())
    response = client.get(services.download_url(export))
    assert response.status_code == 404
    assert DataExport.objects.get(pk=export.pk).download_count == 0


def _old_token(export_id: int, days: int) -> str:
    """A link emailed `days` ago: signed as services.download_token did then."""

    class Then(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(timezone.now().timestamp()) - days * 86400)

    return Then(salt="mixora.exports.download").sign_object(export_id)


def test_an_expired_link_is_refused(client, user):
    export = built(user)
    assert (
        client.get(reverse("export_download", args=[_old_token(export.pk, 6)])).status_code == 302
    )
    response = client.get(reverse("export_download", args=[_old_token(export.pk, 8)]))
    assert response.status_code == 410
    assert "This download link has expired." in response.content.decode()


def test_an_expired_or_deleted_export_is_refused(client, user):
    export = built(user)
    url = services.download_url(export)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 410
    services.delete_expired()
    response = client.get(url)
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()


def test_a_tampered_or_unknown_link_is_404(client, user):
    export = built(user)
    token = services.download_token(export)
    assert client.get(reverse("export_download", args=[token[:-2] + "xx"])).status_code == 404
    export.delete()
    assert client.get(reverse("export_download", args=[token])).status_code == 404


def test_a_deleted_account_link_stops_working(client, user):
    export = built(user)
    user.is_active = False
    user.save()
    assert client.get(services.download_url(export)).status_code == 410


def test_local_storage_streams_the_file(client, user, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    export = built(user)
    response = client.get(services.download_url(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == (tmp_path / export.file.name).read_bytes()


# --- The request form --------------------------------------------------------------------


def test_requesting_an_export(client, user):
    client.force_login(user)
    response = client.post(reverse("export_request"), {"next": "/privacy/exports/"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/exports/"
    export = DataExport.objects.get(user=user)
    assert export.status == Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "preparing your export and will email pat@example.test" in page
    assert "Preparing your export" in page
    assert "We'll email pat@example.test when it's ready" in page
    assert 'hx-trigger="every 3s"' in page

    # A second click while it is being prepared changes nothing.
    client.post(reverse("export_request"))
    assert DataExport.objects.filter(user=user).count() == 1


def test_request_is_post_only_logged_in_and_csrf_protected(client, user):
    url = reverse("export_request")
    assert client.post(url)["Location"].startswith(reverse("account_login"))
    client.force_login(user)
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url).status_code == 403
    assert not DataExport.objects.exists()


def test_request_never_redirects_off_site(client, user):
    client.force_login(user)
    response = client.post(reverse("export_request"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("export_list")


def test_three_requests_a_day(client, user):
    client.force_login(user)
    for _ in range(3):
        client.post(reverse("export_request"))
        DataExport.objects.filter(user=user).update(status=Status.READY)
    response = client.post(reverse("export_request"), follow=True)
    assert "You can ask for 3 exports a day" in response.content.decode()
    assert DataExport.objects.filter(user=user).count() == 3

    DataExport.objects.filter(user=user).update(requested_at=timezone.now() - timedelta(days=1))
    client.post(reverse("export_request"))
    assert DataExport.objects.filter(user=user).count() == 4


# --- The panel in each state ---------------------------------------------------------------


def test_panel_states(client, user):
    client.force_login(user)
    page = client.get(reverse("export_list")).content.decode()
    assert "You haven't asked for an export yet." in page
    assert ">Request export</button>" in page

    export = built(user)
    page = client.get(reverse("export_list")).content.decode()
    assert "Your export is ready" in page
    token = re.search(r'href="/privacy/exports/([^/"]+)/" download>Download ZIP</a>', page)[1]
    assert services.export_from_token(token) == export
    assert "Request a new export" in page
    assert "every 3s" not in page

    DataExport.objects.filter(pk=export.pk).update(status=Status.FAILED)
    assert (
        "couldn't prepare your last export" in client.get(reverse("export_list")).content.decode()
    )

    DataExport.objects.filter(pk=export.pk).update(status=Status.EXPIRED)
    page = client.get(reverse("export_list")).content.decode()
    assert "Your last export was deleted on" in page


def test_panel_refresh_sends_the_form_back_to_its_page(client, user):
    client.force_login(user)
    built(user)
    response = client.get(
        reverse("export_panel"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/account/privacy/"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card exports-panel"')
    assert "<html" not in body
    assert '<input type="hidden" name="next" value="/account/privacy/">' in body


def test_pages_need_a_login(client):
    for name in ("export_list", "export_panel"):
        assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))
