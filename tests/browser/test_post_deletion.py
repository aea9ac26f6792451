"""People delete what they made, in the browser: the owner deletes a published post from the
list, ticking "Also delete from X" (Instagram's API cannot, and the page says so); an editor
deletes a library file a draft uses after the confirmation names that draft."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from publishing import composer, publisher
from publishing.models import Media, Post
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_owner_deletes_a_published_post_from_the_list_and_from_x(
    app, new_page, shot, accounts, owner, upload, scheduled_post, emulator, celery_queue
):
    post = scheduled_post(
        [accounts["instagram"], accounts["x"]], "Autumn menu is out", [upload("image")]
    )
    publisher.dispatch_due()
    assert {publisher.publish_one(t.pk) for t in post.targets.all()} == {"published"}

    page = new_page()
    log_in(page, app, owner.user.email)
    page.get_by_role("link", name="Posts").first.click()
    page.get_by_role("link", name=re.compile("Published")).click()
    row = page.locator(".post-row", has_text="Autumn menu is out")
    shot(page, "0-list")
    row.get_by_role("link", name="Delete “Autumn menu is out”").click()

    expect(page.get_by_role("heading", name="Delete this post?")).to_be_visible()
    expect(page.locator("#published-copies")).to_contain_text("Also delete from X")
    expect(page.locator("#published-copies")).to_contain_text(
        "Instagram's API does not let apps delete posts: delete it on Instagram itself."
    )
    shot(page, "1-confirm")
    page.get_by_label(re.compile("Also delete from X")).check()
    page.get_by_role("button", name="Delete post").click()

    expect(
        page.get_by_text("Deleted “Autumn menu is out”. It was deleted from X: Demo Co too.")
    ).to_be_visible()
    shot(page, "2-deleted")
    assert not Post.objects.exists()
    left = emulator.control("GET", "posts?platform=meta") + emulator.control(
        "GET", "posts?platform=x"
    )
    assert [p["network"] for p in left] == ["instagram"]  # X deleted it; Instagram cannot


def test_editor_deletes_a_file_a_draft_uses_after_seeing_which(
    app, new_page, shot, workspace, owner, upload, accounts, emulator
):
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Eddie").user
    photo = upload("image", name="latte.jpg")
    data = composer.PostInput(
        "Latte art Friday", [photo.pk], [composer.TargetInput(accounts["x"].pk)], None
    )
    draft, _ = composer.save(workspace, editor, data)

    page = new_page()
    log_in(page, app, editor.email)
    page.goto(f"{app}/w/acme/posts/{draft.pk}/")
    expect(page.get_by_role("link", name="Delete…")).to_be_visible()  # the author's own draft
    shot(page, "0-post-page")
    page.get_by_role("link", name="Media").click()
    card = page.locator(".media-card", has_text="latte.jpg")
    expect(card).to_contain_text("Used by 1 post")
    shot(page, "0-library")
    card.get_by_role("link", name="Delete…").click()

    expect(page.get_by_role("heading", name="Delete latte.jpg?")).to_be_visible()
    expect(page.locator("#media-uses")).to_contain_text("“Latte art Friday”")
    expect(page.locator("#media-uses")).to_contain_text("The file is removed from this draft.")
    shot(page, "1-confirm")
    page.get_by_role("button", name="Delete and remove from 1 post").click()

    expect(page.get_by_text("Deleted latte.jpg and removed it from 1 post.")).to_be_visible()
    assert not Media.objects.filter(pk=photo.pk).exists()
    assert Post.objects.get(pk=draft.pk).attachments.count() == 0
