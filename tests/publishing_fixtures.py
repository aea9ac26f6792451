"""Fixtures for publishing: a workspace with every seeded emulator account connected,
real media uploads, and scheduled posts. Shared by tests/publishing and tests/browser."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing import composer, media, workflow
from publishing.models import Post, PostTarget
from publishing.sample_media import image_bytes, mp4_bytes
from tests.factories import MembershipFactory, WorkspaceFactory

# The seeded emulator accounts (docs/emulator.md), as Mixora stores them once connected.
SEEDED = {
    "facebook": ("20000000000001", "Demo Co Coffee", "@demococoffee"),
    "instagram": ("17841400000000001", "democo.coffee", "@democo.coffee"),
    "x": ("1500000000000000001", "Demo Co", "@democo"),
    "tiktok": ("tt-open-000001", "Demo Co", "@democo"),
    "youtube": ("UCdemo0000000000000000001", "Demo Co TV", "@democotv"),
}


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme", timezone="Europe/London")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER, user__email="o@acme.test")


@pytest.fixture
def accounts(workspace, owner, connect_all):
    return connect_all()


@pytest.fixture
def connect_all(client, workspace, owner, emulator):
    """Connect every seeded emulator account through the real OAuth flow."""
    from django.urls import reverse

    from tests.connections.consent import callback_path, consent

    def run() -> dict[str, ConnectedAccount]:
        client.force_login(owner.user)
        for provider in ("meta", "x", "tiktok", "google"):
            start = client.post(reverse("connections_connect", args=["acme", provider]))
            back = client.get(callback_path(consent(start["Location"])))
            if provider == "meta":
                page = client.get(back["Location"])
                client.post(
                    back["Location"], {"accounts": [o["key"] for o in page.context["options"]]}
                )
        return {
            a.platform: a
            for a in workspace.connected_accounts.all()
            if a.external_id in {v[0] for v in SEEDED.values()}
        }

    return run


@pytest.fixture
def upload(workspace, owner):
    def make(kind: str = "image", name: str | None = None, **kwargs: object):
        if kind == "image":
            content = image_bytes(**kwargs)
            name = name or "photo.jpg"
        else:
            content = mp4_bytes(**kwargs)
            name = name or "clip.mp4"
        return media.ingest(workspace, owner.user, SimpleUploadedFile(name, content))

    return make


def make_due(post: Post, when: datetime) -> Post:
    """Time passes: the post, scheduled legitimately in the future, is now due at `when`."""
    post.targets.filter(state=PostTarget.State.SCHEDULED).update(due_at=when)
    Post.objects.filter(pk=post.pk).update(scheduled_at=when)
    post.refresh_from_db()
    return post


@pytest.fixture
def scheduled_post(workspace, owner):
    """scheduled_post(accounts, text, media=(), options={account_pk: {...}}, when=None) -> a post
    scheduled at `when`, by default due now. A time that has passed is reached the way it
    happens in life: the post is scheduled an hour ahead, then time passes (`make_due`)."""

    def make(accounts, text, media_items=(), options=None, when=None) -> Post:
        options = options or {}
        due = when or timezone.now() - timedelta(seconds=1)
        ahead = due > timezone.now()
        data = composer.PostInput(
            text=text,
            media_ids=[m.pk for m in media_items],
            targets=[composer.TargetInput(a.pk, "", options.get(a.pk, {})) for a in accounts],
            scheduled_at=due if ahead else timezone.now() + timedelta(hours=1),
        )
        post, _ = composer.save(workspace, owner.user, data)
        post = workflow.schedule(post, owner)
        return post if ahead else make_due(post, due)

    return make
