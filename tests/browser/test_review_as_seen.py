"""An approver decides on exactly what they saw: the review box shows what each account will
receive, and an edit made after the page was opened turns "Approve" into a request to look
again, never an approval of unseen text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from accounts.roles import Role
from publishing import composer, workflow
from publishing.models import Post
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_approval_applies_to_what_the_approver_saw(app, new_page, shot, accounts, workspace):
    workspace.approval_required = True
    workspace.save(update_fields=["approval_required"])
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Eddie").user
    approver = MembershipFactory(workspace=workspace, role=Role.APPROVER).user
    x, facebook = accounts["x"], accounts["facebook"]
    data = composer.PostInput(
        text="Our autumn menu is here",
        media_ids=[],
        targets=[
            composer.TargetInput(x.pk, "Autumn menu, X edition"),
            composer.TargetInput(facebook.pk),
        ],
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    post, _ = composer.save(workspace, editor, data)
    workflow.submit(post, Membership.objects.get(workspace=workspace, user=editor))

    reviewer = new_page()
    log_in(reviewer, app, approver.email)
    decline_cookies(reviewer)
    reviewer.goto(f"{app}/w/{workspace.slug}/posts/{post.pk}/")
    receives = reviewer.locator("#receives")
    expect(receives.locator("li", has_text=x.display_name).filter(has_text="X")).to_contain_text(
        "Autumn menu, X edition"
    )
    expect(receives.locator("li", has_text="Facebook Page")).to_contain_text(
        "Our autumn menu is here"
    )
    shot(reviewer, "1-what-each-account-receives")

    # The editor changes the shared text while the approver still has the page open.
    author = new_page()
    log_in(author, app, editor.email)
    author.goto(f"{app}/w/{workspace.slug}/posts/{post.pk}/edit/")
    author.get_by_label("What do you want to share?").fill("Our autumn menu is here, now 50% off")
    author.get_by_role("button", name="Save draft").click()
    expect(author.get_by_text("Draft saved.")).to_be_visible()

    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("This post changed after you opened it.")).to_be_visible()
    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW
    assert post.approved_by is None
    shot(reviewer, "2-changed-meanwhile")

    # Looking again shows the new text; approving it now schedules exactly that.
    expect(reviewer.locator("#receives")).to_contain_text("now 50% off")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("Approved and scheduled.")).to_be_visible()
    post.refresh_from_db()
    assert (post.stage, post.text) == (Post.Stage.SCHEDULED, "Our autumn menu is here, now 50% off")
