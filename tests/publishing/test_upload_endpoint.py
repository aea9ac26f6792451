"""The one-file upload endpoint behind the drag-and-drop widget: the same checks as the
library form, one JSON answer per file, a video's still from the browser kept only when it
is a small real image, and only composers may use it."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from publishing.media import MAX_FRAME_BYTES
from publishing.models import Media
from publishing.sample_media import image_bytes, mp4_bytes

ORANGE = (240, 120, 20)


@pytest.fixture
def url(workspace):
    return reverse("media_upload", args=[workspace.slug])


@pytest.fixture
def editor(workspace, make_member, client):
    member = make_member(workspace, Role.EDITOR)
    client.force_login(member)
    return member


def frame(fmt: str = "JPEG", size=(320, 180), color=ORANGE) -> SimpleUploadedFile:
    return SimpleUploadedFile("frame.jpg", image_bytes(fmt, size=size, color=color))


def stored_color(name: str) -> tuple[int, int, int]:
    with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def test_an_image_comes_back_as_a_ticked_composer_tile(client, url, editor, workspace):
    response = client.post(
        url, {"into": "composer", "file": SimpleUploadedFile("cover.jpg", image_bytes())}
    )

    assert response.status_code == 201
    body = response.json()
    item = Media.objects.get(pk=body["id"])
    assert (item.workspace, item.uploaded_by, item.kind) == (workspace, editor, "image")
    assert body["name"] == "cover.jpg"
    assert f'name="media" value="{item.pk}" checked' in body["html"]
    assert item.thumbnail.name in body["html"]


def test_a_video_keeps_the_browsers_still_as_its_thumbnail(client, url, editor):
    response = client.post(
        url,
        {
            "into": "library",
            "file": SimpleUploadedFile("clip.mp4", mp4_bytes(duration=3)),
            "frame": frame(),
        },
    )

    assert response.status_code == 201
    item = Media.objects.get()
    assert item.kind == "video"
    assert item.duration == 3
    assert item.thumbnail.name.endswith(".jpg")
    red, green, blue = stored_color(item.thumbnail.name)
    assert abs(red - 240) < 8
    assert abs(green - 120) < 8
    assert abs(blue - 20) < 8
    assert 'class="card media-card"' in response.json()["html"]
    assert "▶" in response.json()["html"]


@pytest.mark.parametrize(
    "bad_frame",
    [
        SimpleUploadedFile("frame.jpg", b"<svg onload=alert(1)>"),
        SimpleUploadedFile("frame.jpg", image_bytes("GIF", size=(20, 20))),
        SimpleUploadedFile("frame.jpg", image_bytes("PNG", size=(4097, 10))),
        SimpleUploadedFile("frame.jpg", b"\xff" * (MAX_FRAME_BYTES + 1)),
    ],
    ids=["not-an-image", "gif", "too-wide", "too-heavy"],
)
def test_a_still_that_is_not_a_small_jpeg_or_png_is_dropped_and_the_video_kept(
    client, url, editor, bad_frame
):
    response = client.post(
        url,
        {
            "into": "library",
            "file": SimpleUploadedFile("clip.mp4", mp4_bytes()),
            "frame": bad_frame,
        },
    )

    assert response.status_code == 201
    item = Media.objects.get()
    assert not item.thumbnail
    # The tile then shows the video itself, at half a second.
    html = response.json()["html"]
    assert "<video" in html
    assert item.file.name in html
    assert "#t=0.5" in html


def test_an_image_never_takes_the_browsers_still(client, url, editor):
    client.post(
        url,
        {
            "into": "library",
            "file": SimpleUploadedFile("blue.png", image_bytes("PNG", color=(0, 0, 255))),
            "frame": frame(),
        },
    )

    red, green, blue = stored_color(Media.objects.get().thumbnail.name)
    assert (red, green) == (0, 0)
    assert blue > 245


def test_a_file_that_is_not_media_is_refused_with_its_name_and_nothing_stored(client, url, editor):
    response = client.post(
        url, {"into": "composer", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 100)}
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("“x.exe” is not an image")
    assert not Media.objects.exists()


def test_a_broken_png_is_refused_with_its_name_and_nothing_stored(client, url, editor):
    data = bytearray(image_bytes("PNG"))
    data[data.find(b"IDAT") + 6] ^= 0xFF  # a bad chunk checksum: Pillow's verify() raises
    response = client.post(
        url, {"into": "composer", "file": SimpleUploadedFile("broken.png", bytes(data))}
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("“broken.png” is not an image")
    assert not Media.objects.exists()


def test_an_oversized_image_is_refused_like_the_library_form(client, url, editor):
    too_big = SimpleUploadedFile("huge.png", image_bytes("PNG", size=(20, 20)) + b"\0" * (9 << 20))

    response = client.post(url, {"into": "library", "file": too_big})

    assert response.status_code == 400
    assert response.json()["error"] == "“huge.png” is over the 8 MB limit for images."
    assert not Media.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"into": "composer"},
        {"into": "elsewhere", "file": "x"},
        {"into": "composer", "file": "two"},
    ],
    ids=["no-file", "unknown-place", "two-files"],
)
def test_anything_but_one_file_for_a_known_place_is_refused(client, url, editor, data):
    if "file" in data:
        count = 2 if data["file"] == "two" else 1
        data = {
            **data,
            "file": [
                SimpleUploadedFile(f"{i}.jpg", image_bytes(size=(10, 10))) for i in range(count)
            ],
        }
    response = client.post(url, data)

    assert response.status_code == 400
    assert response.json()["error"] == "Send one file at a time."
    assert not Media.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_members_who_cannot_compose_cannot_upload(client, url, workspace, make_member, role):
    client.force_login(make_member(workspace, role))

    response = client.post(
        url, {"into": "library", "file": SimpleUploadedFile("a.jpg", image_bytes(size=(20, 20)))}
    )

    assert response.status_code == 403
    assert not Media.objects.exists()


def test_the_upload_needs_the_csrf_token(url, workspace, make_member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_member(workspace, Role.EDITOR))

    response = strict.post(
        url, {"into": "library", "file": SimpleUploadedFile("a.jpg", image_bytes(size=(20, 20)))}
    )

    assert response.status_code == 403
    assert not Media.objects.exists()


def test_get_is_not_allowed(client, url, editor):
    assert client.get(url).status_code == 405
