"""The media library: files are judged by their content, stored in the default storage (S3,
moto in tests) with a thumbnail for images, and only composers may add or delete them."""

from __future__ import annotations

import io
import os

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import composer, media
from publishing.models import Media, Post, PostMedia
from publishing.sample_media import image_bytes, mp4_bytes
from tests.factories import MembershipFactory, WorkspaceFactory


def stored_keys(workspace) -> set[str]:
    """Every object the storage holds under the workspace's media folder."""
    prefix = f"media/{workspace.pk}/"
    return {obj.key for obj in default_storage.bucket.objects.filter(Prefix=prefix)}


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def ingest(workspace, user, name: str, content: bytes) -> Media:
    return media.ingest(workspace, user, SimpleUploadedFile(name, content))


def noisy_png(side: int) -> bytes:
    """A PNG of random pixels: it does not compress, so its size is about 3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR)


@pytest.fixture
def library_url(workspace):
    return reverse("media_library", args=[workspace.slug])


# --- Ingest by content -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png")],
)
def test_a_real_image_is_stored_with_its_dimensions_and_a_thumbnail(
    workspace, owner, fmt, content_type, extension
):
    content = image_bytes(fmt, size=(1200, 800))
    item = ingest(workspace, owner.user, f"Shop front.{extension}", content)

    item.refresh_from_db()
    assert (item.kind, item.content_type) == (Media.Kind.IMAGE, content_type)
    assert (item.width, item.height, item.size) == (1200, 800, len(content))
    assert item.duration is None
    assert item.name == f"Shop front.{extension}"
    assert item.uploaded_by == owner.user
    assert item.file.name.startswith(f"media/{workspace.pk}/")
    assert item.file.name.endswith(f".{extension}")
    assert read_stored(item.file.name) == content

    assert item.thumbnail.name.startswith(f"media/{workspace.pk}/thumbs/")
    assert default_storage.exists(item.thumbnail.name)
    with Image.open(io.BytesIO(read_stored(item.thumbnail.name))) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (480, 320)  # fits 480×480, proportions kept
    assert stored_keys(workspace) == {item.file.name, item.thumbnail.name}


def test_a_real_mp4_is_stored_as_a_video_with_its_duration(workspace, owner):
    content = mp4_bytes(duration=12)
    item = ingest(workspace, owner.user, "clip.mp4", content)

    item.refresh_from_db()
    assert (item.kind, item.content_type) == (Media.Kind.VIDEO, "video/mp4")
    assert item.duration == pytest.approx(12, abs=0.01)
    assert (item.width, item.height) == (1080, 1920)
    assert item.size == len(content)
    assert item.file.name.endswith(".mp4")
    assert read_stored(item.file.name) == content
    assert not item.thumbnail
    assert stored_keys(workspace) == {item.file.name}


@pytest.mark.parametrize(
    "content",
    [b"Dear diary, this is plain text and not a picture.\n" * 20, b"", b"\xff\xd8\xff\xe0junk"],
    ids=["text", "empty", "jpeg-magic-then-garbage"],
)
def test_a_file_that_only_claims_to_be_a_jpeg_is_refused_and_nothing_is_stored(
    workspace, owner, content
):
    with pytest.raises(UserFacingError) as refused:
        ingest(workspace, owner.user, "holiday.jpg", content)

    assert str(refused.value) == (
        "“holiday.jpg” is not an image (JPEG, PNG, GIF, WebP) or video (MP4, MOV, WebM) "
        "we can read."
    )
    assert not Media.objects.exists()
    assert stored_keys(workspace) == set()


def test_a_png_named_mp4_is_typed_as_the_png_it_is(workspace, owner):
    item = ingest(workspace, owner.user, "clip.mp4", image_bytes("PNG", size=(64, 48)))

    assert (item.kind, item.content_type) == (Media.Kind.IMAGE, "image/png")
    assert (item.width, item.height) == (64, 48)
    assert item.file.name.endswith(".png")
    assert item.thumbnail


def test_an_mp4_named_jpg_is_typed_as_the_video_it_is(workspace, owner):
    item = ingest(workspace, owner.user, "photo.jpg", mp4_bytes(duration=3))

    assert (item.kind, item.content_type) == (Media.Kind.VIDEO, "video/mp4")
    assert item.duration == pytest.approx(3, abs=0.01)
    assert item.file.name.endswith(".mp4")


def test_an_image_over_8mb_is_refused_with_a_clear_message_and_nothing_stored(workspace, owner):
    content = noisy_png(1700)
    assert len(content) > 8 * 1024 * 1024

    with pytest.raises(UserFacingError) as refused:
        ingest(workspace, owner.user, "huge.png", content)

    assert str(refused.value) == "“huge.png” is over the 8 MB limit for images."
    assert not Media.objects.exists()
    assert stored_keys(workspace) == set()


def test_an_image_wider_than_8192_pixels_is_refused(workspace, owner):
    with pytest.raises(UserFacingError) as refused:
        ingest(workspace, owner.user, "banner.png", image_bytes("PNG", size=(8193, 2)))

    assert str(refused.value) == "“banner.png” is larger than 8192 pixels on a side."
    assert not Media.objects.exists()
    assert stored_keys(workspace) == set()


# --- The library page ------------------------------------------------------------------------


def test_uploading_several_files_adds_the_good_ones_and_reports_the_bad_one(
    client, workspace, editor, library_url
):
    client.force_login(editor)
    response = client.post(
        library_url,
        {
            "files": [
                SimpleUploadedFile("first.jpg", image_bytes("JPEG", size=(100, 100))),
                SimpleUploadedFile("notes.jpg", b"not an image at all, just some words"),
                SimpleUploadedFile("teaser.mp4", mp4_bytes(duration=4)),
            ]
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "“notes.jpg” is not an image (JPEG, PNG, GIF, WebP) or video" in page
    names = set(workspace.media.values_list("name", flat=True))
    assert names == {"first.jpg", "teaser.mp4"}
    assert all(m.uploaded_by == editor for m in workspace.media.all())
    # The good files are listed on the page that reports the bad one.
    assert "first.jpg" in page
    assert "teaser.mp4" in page
    assert len(stored_keys(workspace)) == 3  # two files and one thumbnail


def test_uploading_only_good_files_redirects_back_to_the_library(
    client, workspace, editor, library_url
):
    client.force_login(editor)
    response = client.post(
        library_url,
        {"files": [SimpleUploadedFile("a.png", image_bytes("PNG", size=(20, 20)))]},
    )

    assert response.status_code == 302
    assert response["Location"] == library_url
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Added a.png."]
    assert workspace.media.get().content_type == "image/png"


def test_uploading_nothing_asks_for_a_file(client, workspace, editor, library_url):
    client.force_login(editor)
    response = client.post(library_url, {})

    assert response.status_code == 400
    assert "Choose at least one file." in response.content.decode()
    assert not Media.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_members_who_cannot_compose_see_the_library_but_cannot_upload(
    client, workspace, make_member, library_url, role
):
    client.force_login(make_member(workspace, role))

    assert client.get(library_url).status_code == 200
    response = client.post(
        library_url, {"files": [SimpleUploadedFile("a.jpg", image_bytes(size=(20, 20)))]}
    )
    assert response.status_code == 403
    assert not Media.objects.exists()
    assert stored_keys(workspace) == set()


def test_deleting_media_removes_the_row_and_its_files_from_storage(
    client, workspace, owner, editor, django_capture_on_commit_callbacks
):
    item = ingest(workspace, owner.user, "gone.jpg", image_bytes(size=(50, 50)))
    file_name, thumb_name = item.file.name, item.thumbnail.name
    assert default_storage.exists(file_name)
    assert default_storage.exists(thumb_name)

    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the row is gone
        response = client.post(reverse("media_delete", args=[workspace.slug, item.pk]))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Deleted gone.jpg."]
    assert not Media.objects.filter(pk=item.pk).exists()
    assert not default_storage.exists(file_name)
    assert not default_storage.exists(thumb_name)
    assert stored_keys(workspace) == set()


def test_media_used_by_a_post_is_not_deleted_without_its_confirmation(
    client, workspace, owner, editor
):
    item = ingest(workspace, owner.user, "in-use.jpg", image_bytes(size=(50, 50)))
    post = Post.objects.create(workspace=workspace, author=owner.user, text="Uses it")
    PostMedia.objects.create(post=post, media=item, position=0)

    client.force_login(editor)
    response = client.post(reverse("media_delete", args=[workspace.slug, item.pk]), follow=True)

    assert response.status_code == 200
    assert "in-use.jpg is now used by 1 post: check which before deleting it." in [
        str(m) for m in response.context["messages"]
    ]
    assert Media.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(item.file.name)
    assert default_storage.exists(item.thumbnail.name)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_members_who_cannot_compose_cannot_delete_media(
    client, workspace, owner, make_member, role
):
    item = ingest(workspace, owner.user, "keep.jpg", image_bytes(size=(50, 50)))
    client.force_login(make_member(workspace, role))

    response = client.post(reverse("media_delete", args=[workspace.slug, item.pk]))

    assert response.status_code == 403
    assert Media.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(item.file.name)


# --- Another workspace's media ---------------------------------------------------------------


@pytest.fixture
def foreign_media(db):
    other = WorkspaceFactory(slug="other", timezone="UTC")
    other_owner = MembershipFactory(workspace=other, role=Role.OWNER)
    return ingest(other, other_owner.user, "theirs.jpg", image_bytes(size=(40, 40)))


def test_another_workspaces_media_cannot_be_deleted(client, workspace, editor, foreign_media):
    client.force_login(editor)
    response = client.post(reverse("media_delete", args=[workspace.slug, foreign_media.pk]))

    assert response.status_code == 404
    assert Media.objects.filter(pk=foreign_media.pk).exists()
    assert default_storage.exists(foreign_media.file.name)


def test_another_workspaces_media_is_not_listed_in_the_library(
    client, workspace, editor, foreign_media, library_url
):
    client.force_login(editor)
    page = client.get(library_url).content.decode()

    assert "theirs.jpg" not in page
    assert foreign_media.thumbnail.name not in page


def test_another_workspaces_media_cannot_be_attached_through_the_composer(
    client, workspace, editor, foreign_media
):
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )
    client.force_login(editor)
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        {"text": "Borrowed", "accounts": [account.pk], "media": [foreign_media.pk]},
    )

    assert response.status_code == 400
    assert not Post.objects.exists()
    assert not PostMedia.objects.exists()


def test_another_workspaces_media_cannot_be_attached_through_the_service(
    workspace, owner, foreign_media
):
    data = composer.PostInput(
        text="Borrowed", media_ids=[foreign_media.pk], targets=[], scheduled_at=None
    )
    with pytest.raises(UserFacingError, match="not in this workspace's library"):
        composer.save(workspace, owner.user, data)

    assert not Post.objects.exists()
    assert not PostMedia.objects.exists()
