"""The profile page: personal details and the avatar, stored through the default storage."""

from __future__ import annotations

import io
import os

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from tests.factories import UserFactory

PROFILE_URL = "/account/profile/"


def image_upload(
    size: tuple[int, int] = (64, 64),
    image_format: str = "PNG",
    name: str = "avatar.png",
    noise: bool = False,
) -> SimpleUploadedFile:
    if noise:  # random pixels do not compress: the file is about width * height * 3 bytes
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 90))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    content_type = Image.MIME.get(image_format, "application/octet-stream")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def profile_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"full_name": "Pat Profile", "company": "Acme", "job_title": "CMO"}
    data.update(overrides)
    return data


def stored_avatars(user: User) -> list[str]:
    _dirs, files = default_storage.listdir(f"avatars/{user.pk}/")
    return sorted(files)


@pytest.fixture
def user(db: None, client) -> User:
    user = UserFactory(full_name="Before", company="", job_title="")
    client.force_login(user)
    return user


def test_profile_page_shows_and_saves_name_company_and_job_title(client, user):
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    assert "Before" in response.content.decode()

    response = client.post(PROFILE_URL, profile_data())

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    user.refresh_from_db()
    assert (user.full_name, user.company, user.job_title) == ("Pat Profile", "Acme", "CMO")
    page = client.get(PROFILE_URL).content.decode()
    assert "Pat Profile" in page
    assert "Profile saved." in page


def test_profile_requires_login(client, db):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_avatar_is_stored_in_default_storage_and_replacing_it_deletes_the_old_file(client, user):
    response = client.post(PROFILE_URL, profile_data(avatar=image_upload()))

    assert response.status_code == 302
    user.refresh_from_db()
    first = user.avatar.name
    assert first.startswith(f"avatars/{user.pk}/")
    assert "avatar.png" not in first  # the uploaded file name is not kept
    assert default_storage.exists(first)
    with default_storage.open(first) as stored:
        assert Image.open(stored).size == (64, 64)

    response = client.post(
        PROFILE_URL, profile_data(avatar=image_upload((32, 32), "JPEG", "me.jpg"))
    )

    assert response.status_code == 302
    user.refresh_from_db()
    second = user.avatar.name
    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)
    assert stored_avatars(user) == [second.rsplit("/", 1)[1]]


@pytest.mark.parametrize(
    ("image_format", "name", "extension"),
    [
        ("PNG", "avatar.png", ".png"),
        ("JPEG", "avatar.png", ".jpg"),  # named by its content, not by the upload's claim
        ("GIF", "photo.jpeg", ".gif"),
        ("WEBP", "me.GIF", ".webp"),
    ],
)
def test_stored_avatar_is_named_by_its_real_format(client, user, image_format, name, extension):
    upload = image_upload(image_format=image_format, name=name)

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name.endswith(extension)
    assert name.rsplit(".", 1)[0] not in user.avatar.name.rsplit("/", 1)[1]
    assert default_storage.exists(user.avatar.name)


def test_real_image_with_a_non_image_extension_is_refused(client, user):
    response = client.post(PROFILE_URL, profile_data(avatar=image_upload(name="photo.exe")))

    assert_refused(response, "File extension “exe” is not allowed.", user, "")


def test_profile_requires_a_full_name(client, user):
    response = client.post(PROFILE_URL, profile_data(full_name="", company="Changed"))

    assert response.status_code == 400
    assert response.context["form"].errors["full_name"]
    user.refresh_from_db()
    assert user.full_name == "Before"
    assert user.company == ""


def test_saving_profile_without_a_new_file_keeps_the_avatar(client, user):
    client.post(PROFILE_URL, profile_data(avatar=image_upload()))
    user.refresh_from_db()
    avatar = user.avatar.name

    response = client.post(PROFILE_URL, profile_data(job_title="CEO"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.job_title == "CEO"
    assert user.avatar.name == avatar
    assert default_storage.exists(avatar)


def test_clearing_the_avatar_deletes_the_file_from_storage(client, user):
    client.post(PROFILE_URL, profile_data(avatar=image_upload()))
    user.refresh_from_db()
    avatar = user.avatar.name

    response = client.post(PROFILE_URL, profile_data(**{"avatar-clear": "on"}))

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.avatar
    assert not default_storage.exists(avatar)


def assert_refused(response, message: str, user: User, avatar_before: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors["avatar"]
    user.refresh_from_db()
    assert user.avatar.name == avatar_before
    assert user.full_name == "Before"  # nothing else was saved either
    if avatar_before:
        assert default_storage.exists(avatar_before)
        assert stored_avatars(user) == [avatar_before.rsplit("/", 1)[1]]
    else:
        assert stored_avatars(user) == []


@pytest.mark.parametrize("with_existing_avatar", [False, True])
def test_non_image_named_png_is_refused_and_nothing_changes(client, user, with_existing_avatar):
    if with_existing_avatar:
        client.post(PROFILE_URL, profile_data(full_name="Before", avatar=image_upload()))
        user.refresh_from_db()
        assert user.avatar
    before = user.avatar.name
    fake = SimpleUploadedFile(
        "avatar.png", b"#!/bin/sh\necho this is not an image\n", content_type="image/png"
    )

    response = client.post(PROFILE_URL, profile_data(avatar=fake))

    assert_refused(response, "Upload a valid image", user, before)


def test_image_in_a_format_other_than_png_jpeg_webp_gif_is_refused(client, user):
    response = client.post(PROFILE_URL, profile_data(avatar=image_upload(image_format="BMP")))

    assert_refused(response, "Upload a PNG, JPEG, WebP or GIF image.", user, "")


def test_image_over_the_size_limit_is_refused(client, user):
    upload = image_upload((900, 900), noise=True)
    assert upload.size > settings.AVATAR_MAX_BYTES

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    assert_refused(response, "That image is too large: the limit is 2.0\xa0MB.", user, "")


def test_image_over_the_size_limit_is_refused_with_a_small_configured_limit(client, user, settings):
    settings.AVATAR_MAX_BYTES = 2048
    upload = image_upload((64, 64), noise=True)
    assert upload.size > 2048

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    assert_refused(response, "That image is too large", user, "")


def test_image_wider_than_the_pixel_limit_is_refused(client, user):
    upload = image_upload((settings.AVATAR_MAX_PIXELS + 1, 1))
    assert upload.size < settings.AVATAR_MAX_BYTES

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    limit = settings.AVATAR_MAX_PIXELS
    assert_refused(response, f"at most {limit}×{limit} pixels", user, "")


def test_image_taller_than_the_pixel_limit_is_refused(client, user):
    upload = image_upload((1, settings.AVATAR_MAX_PIXELS + 1))

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    assert_refused(response, "That image is too big", user, "")


def test_image_exactly_at_the_pixel_limit_is_accepted(client, user):
    upload = image_upload((settings.AVATAR_MAX_PIXELS, 1))

    response = client.post(PROFILE_URL, profile_data(avatar=upload))

    assert response.status_code == 302
    user.refresh_from_db()
    assert default_storage.exists(user.avatar.name)
