"""The media library (upload checked by content, delete) and posting slots with "Add to
queue", as an editor uses them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import Media, Post
from publishing.sample_media import image_bytes, mp4_bytes
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor_page(app, new_page):
    workspace = WorkspaceFactory(name="Studio", slug="studio", timezone="Europe/London")
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    page = new_page()
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page, workspace


def test_editor_uploads_checked_media_and_deletes_one(editor_page, shot, tmp_path):
    page, workspace = editor_page
    (tmp_path / "cover.jpg").write_bytes(image_bytes(size=(1200, 800)))
    (tmp_path / "teaser.mp4").write_bytes(mp4_bytes(duration=7))
    (tmp_path / "notes.png").write_text("not really a picture")
    page.get_by_role("link", name="Media").click()
    page.get_by_label("Add files").set_input_files(
        [str(tmp_path / n) for n in ("cover.jpg", "teaser.mp4", "notes.png")]
    )
    # Each file goes up as soon as it is picked (tests/browser/test_upload.py has the details).
    expect(page.locator(".upload-item.is-error")).to_contain_text(
        "“notes.png” is not an image", timeout=30_000
    )
    expect(page.locator(".upload-item.is-done")).to_have_count(2, timeout=30_000)
    expect(page.locator(".media-card")).to_have_count(2)
    expect(page.locator(".media-card", has_text="teaser.mp4")).to_contain_text("7 s")
    expect(page.locator(".media-card", has_text="cover.jpg")).to_contain_text("1200×800")
    shot(page, "1-library")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".media-card", has_text="cover.jpg").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted cover.jpg.")).to_be_visible()
    assert list(Media.objects.values_list("name", flat=True)) == ["teaser.mp4"]


def test_editor_adds_a_slot_and_queues_a_post_into_it(editor_page, shot):
    page, workspace = editor_page
    ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1",
        display_name="Studio on X",
        handle="@studio",
    )
    page.get_by_role("link", name="Posts", exact=True).click()
    page.get_by_role("link", name="Posting slots").click()
    page.get_by_label("X: Studio on X").check()
    page.get_by_label("Wednesday").check()
    page.get_by_label("Times").fill("10:30")
    page.get_by_role("button", name="Add slots").click()
    expect(page.locator(".slot")).to_contain_text("Wednesday 10:30")
    shot(page, "1-slots")

    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill("Midweek tip: batch your posts.")
    page.get_by_label(re.compile("Studio on X")).first.check()
    page.get_by_role("button", name=re.compile("Add to queue")).click()
    expect(page.get_by_text("Scheduled.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Wed .* 10:30"))).to_be_visible()
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED
    shot(page, "2-queued")
