"""Local mode's /media/: each stored file only to the people allowed to see it; everyone else,
signed in or not, gets 404. Signed links (what a platform fetching a post's media gets) work
without a session until they expire."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client

from accounts.roles import Role
from connections.models import ConnectedAccount
from exports.models import DataExport
from inbox.models import Attachment
from mixora import media_access
from publishing.models import Media, Post, PostMedia
from tests.factories import UserFactory, WorkspaceFactory
from tests.workspace_urls import inbox_objects

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def local_media(settings, tmp_path):
    """The local mode's storage (what `make run` uses), in a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "mixora.media_access.LocalMediaStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def alpha(db, make_member):
    workspace = WorkspaceFactory(name="Alpha", slug="alpha")
    workspace.member = make_member(workspace, Role.VIEWER)
    return workspace


@pytest.fixture
def outsider(db, make_member):
    return make_member(WorkspaceFactory(name="Bravo", slug="bravo"), Role.OWNER)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _media(workspace) -> Media:
    media = Media(
        workspace=workspace, kind="image", content_type="image/png", name="cat.png", size=40
    )
    media.file.save("cat.png", ContentFile(PNG), save=False)
    media.thumbnail.save("thumb.jpg", ContentFile(PNG), save=False)
    media.save()
    return media


def _workspace_files(workspace) -> dict[str, str]:
    """One stored file of each kind a workspace holds: name -> url."""
    media = _media(workspace)
    post = Post.objects.create(workspace=workspace, text="Hello")
    attached = PostMedia(post=post, media=media)
    attached.payload.save("payloads/1/0-copy.png", ContentFile(PNG), save=True)
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id=f"x-{workspace.pk}", display_name="On X"
    )
    message = inbox_objects(workspace, account)["message"]
    attachment = Attachment(
        message=message,
        conversation=message.conversation,
        kind="image",
        content_type="image/png",
        size=40,
    )
    attachment.file.save("photo.png", ContentFile(PNG), save=True)
    conversation = message.conversation
    conversation.participant_avatar.save("customer.png", ContentFile(PNG), save=True)
    files = (
        media.file,
        media.thumbnail,
        attached.payload,
        attachment.file,
        conversation.participant_avatar,
    )
    return {f.name: f.url for f in files}


def test_workspace_files_go_to_its_members_only(local_media, alpha, outsider):
    files = _workspace_files(alpha)
    assert len(files) == 5
    for name, url in files.items():
        assert url.startswith("/media/")
        member = _client(alpha.member).get(url)
        assert member.status_code == 200, name
        assert _body(member) == PNG
        assert member["Cache-Control"] == "private, max-age=3600"
        # Shown, never run: a customer's attachment could be HTML.
        assert "sandbox" in member["Content-Security-Policy"]
        assert _client(outsider).get(url).status_code == 404, name
        assert _client().get(url).status_code == 404, name


def test_a_workspace_id_equal_to_the_callers_user_id_gives_nothing(local_media, db):
    workspace = WorkspaceFactory(pk=424242)
    stranger = UserFactory(pk=424242)
    media = _media(workspace)
    assert _client(stranger).get(media.file.url).status_code == 404


def test_an_export_goes_to_its_owner_only(local_media, alpha, make_member):
    owner = make_member(alpha, Role.OWNER)
    export = DataExport.objects.create(user=owner, status=DataExport.Status.READY)
    export.file.save("exports/abc.zip", ContentFile(b"PK zip"), save=True)
    assert _body(_client(owner).get(export.file.url)) == b"PK zip"
    # A teammate, even in the same workspace, gets nothing.
    assert _client(alpha.member).get(export.file.url).status_code == 404
    assert _client().get(export.file.url).status_code == 404


def test_an_avatar_goes_to_its_person_and_their_teammates(local_media, alpha, outsider):
    person = UserFactory()
    alpha.memberships.create(user=person, role=Role.EDITOR)
    person.avatar.save("face.png", ContentFile(PNG), save=True)
    url = person.avatar.url
    assert _client(person).get(url).status_code == 200
    assert _client(alpha.member).get(url).status_code == 200
    assert _client(outsider).get(url).status_code == 404
    assert _client().get(url).status_code == 404


def test_a_file_no_row_holds_is_not_served(local_media, alpha):
    name = default_storage.save(f"media/{alpha.pk}/stray.png", ContentFile(PNG))
    assert (local_media / name).exists()
    assert _client(alpha.member).get(f"/media/{name}").status_code == 404
    assert _client(alpha.member).get("/media/../../etc/passwd").status_code == 404


def test_a_signed_link_works_without_a_session_until_it_expires(local_media, alpha):
    media = _media(alpha)
    signed = default_storage.url(media.file.name, expire=60)
    assert "token=" in signed
    assert _body(_client().get(signed)) == PNG
    expired = default_storage.url(media.file.name, expire=-1)
    assert _client().get(expired).status_code == 404
    tampered = signed[:-3] + ("aaa" if not signed.endswith("aaa") else "bbb")
    assert _client().get(tampered).status_code == 404
    # A token is for one file only.
    other = default_storage.url(media.thumbnail.name, expire=60)
    token = other.split("?", 1)[1]
    assert _client().get(f"{media.file.url}?{token}").status_code == 404


def test_nothing_is_served_here_in_s3_mode(client, alpha):
    media = _media(alpha)  # the tests' S3 bucket
    assert media.file.url.startswith("http")  # the bucket, not /media/
    assert "Signature=" in media.file.url  # signed and expiring
    client.force_login(alpha.member)
    assert client.get(f"/media/{media.file.name}").status_code == 404


def test_every_file_field_has_an_access_rule():
    """A new file field fails here until someone decides who may see its files."""
    ruled = {(rule.model, rule.field) for rule in media_access.RULES}
    fields = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert fields == ruled, f"without a rule: {fields - ruled}; stale rules: {ruled - fields}"


def test_posted_payload_links_are_signed_in_local_mode(local_media, alpha):
    """The publisher hands platforms `storage.url(name, expire=...)`: it must work for them."""
    from publishing.publisher import _absolute_url

    media = _media(alpha)
    url = _absolute_url(media.file.name)
    assert "token=" in url
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert _body(_client().get(f"/{path}")) == PNG
