"""A post sent back and resubmitted shows its approver what changed since the last
submission: the caption word by word, the YouTube title and the time old → new. The first
review shows no such section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from accounts.roles import Role
from publishing import composer, workflow
from publishing.models import Post
from publishing.timezones import to_local
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resubmission_shows_what_changed(app, new_page, shot, accounts, workspace, upload):
    workspace.approval_required = True
    workspace.save(update_fields=["approval_required"])
    editor = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Eddie Editor"
    ).user
    approver = MembershipFactory(workspace=workspace, role=Role.APPROVER).user
    x, youtube = accounts["x"], accounts["youtube"]
    clip = upload("video", name="autumn-menu.mp4")
    data = composer.PostInput(
        text="Our autumn menu is here: pumpkin latte and apple pie.",
        media_ids=[clip.pk],
        targets=[
            composer.TargetInput(x.pk),
            composer.TargetInput(youtube.pk, "", {"title": "Autumn menu", "privacy": "public"}),
        ],
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    post, _ = composer.save(workspace, editor, data)
    workflow.submit(post, Membership.objects.get(workspace=workspace, user=editor))

    # First review: what each account receives, and no "what changed" yet.
    reviewer = new_page()
    log_in(reviewer, app, approver.email)
    decline_cookies(reviewer)
    reviewer.goto(f"{app}/w/{workspace.slug}/posts/{post.pk}/")
    expect(reviewer.locator("#receives")).to_contain_text("Autumn menu")
    expect(reviewer.locator("#review-changes")).to_have_count(0)
    reviewer.get_by_label("Comment").first.fill("Mention the discount, and date the title.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.get_by_text("Sent back with your comment.")).to_be_visible()

    # The editor changes the caption and the title, and submits again.
    author = new_page()
    log_in(author, app, editor.email)
    decline_cookies(author)
    author.goto(f"{app}/w/{workspace.slug}/posts/{post.pk}/edit/")
    author.get_by_label("What do you want to share?").fill(
        "Our autumn menu is here: pumpkin latte and warm apple pie, now 20% off."
    )
    author.get_by_label("Video title").fill("Autumn menu 2026")
    later = to_local(post.scheduled_at + timedelta(days=1), workspace.timezone)
    author.get_by_label("When").fill(later.strftime("%Y-%m-%dT%H:%M"))
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_text("sent for review", exact=False)).to_be_visible()
    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW

    # The approver sees exactly what changed since the version they sent back.
    reviewer.goto(f"{app}/w/{workspace.slug}/posts/{post.pk}/")
    changes = reviewer.locator("#review-changes")
    expect(changes.get_by_role("heading")).to_have_text("What changed since the last submission")
    expect(changes).to_contain_text("Compared with the version Eddie Editor submitted")
    expect(changes.locator("ins", has_text="20% off").first).to_be_visible()
    expect(changes.locator("del", has_text="Autumn menu")).to_be_visible()
    expect(changes.locator("ins", has_text="Autumn menu 2026")).to_be_visible()
    expect(changes.locator("li", has_text="Publishing time").locator("ins")).to_have_text(
        later.strftime("%a %-d %b %Y, %H:%M")
    )
    changes.scroll_into_view_if_needed()
    shot(reviewer, "what-changed")

    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("Approved and scheduled.")).to_be_visible()
