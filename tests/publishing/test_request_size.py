"""An upload larger than anything Mixora takes is refused from its Content-Length, before the
body is read: nothing is stored and the page says what the limit is."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.urls import reverse

from accounts.roles import Role
from publishing.models import Media
from publishing.sample_media import image_bytes

BOUNDARY = "BoUnDaRy"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def library_url(workspace):
    return reverse("media_library", args=[workspace.slug])


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR)


def _body(size: int) -> bytes:
    upload = SimpleUploadedFile("big.png", image_bytes("PNG", size=(20, 20)) + b"\0" * size)
    return encode_multipart(BOUNDARY, {"files": [upload]})


def test_a_body_over_the_limit_is_refused_and_nothing_is_stored(
    client, editor, library_url, settings
):
    settings.REQUEST_MAX_BYTES = 10_000
    client.force_login(editor)

    response = client.post(library_url, _body(20_000), content_type=MULTIPART)

    assert response.status_code == 413
    assert "Uploads can be up to 9.8" in response.content.decode()
    assert not Media.objects.exists()


def test_the_refusal_comes_before_the_body_is_read(client, editor, library_url):
    # A request claiming 2 GB with a small body: reading it would fail; refusing must not read.
    client.force_login(editor)
    body = _body(0)
    response = client.post(
        library_url,
        body,
        content_type=MULTIPART,
        CONTENT_LENGTH=str(2 * 1024**3),
    )

    assert response.status_code == 413
    assert not Media.objects.exists()


def test_an_upload_within_the_limit_still_works(client, editor, library_url):
    client.force_login(editor)
    response = client.post(library_url, _body(0), content_type=MULTIPART)

    assert response.status_code == 302
    assert Media.objects.count() == 1
