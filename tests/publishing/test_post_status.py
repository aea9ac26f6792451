"""The post page's badges say what is true: a failed account shows in the header, and the
accounts of a post waiting for approval say so instead of "Not scheduled"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import Post, PostTarget
from publishing.status import post_status, target_status
from tests.factories import WorkspaceFactory

S = PostTarget.State


@pytest.fixture
def post(db):
    workspace = WorkspaceFactory(slug="badges")
    post = Post.objects.create(workspace=workspace, text="Spring", stage=Post.Stage.SCHEDULED)
    for number in range(3):
        account = ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id=str(number), display_name=f"X {number}"
        )
        PostTarget.objects.create(post=post, account=account, state=S.SCHEDULED)
    return post


def _set(post: Post, *states: str) -> list[PostTarget]:
    targets = list(post.targets.order_by("pk"))
    for target, state in zip(targets, states, strict=True):
        target.state = state
    return targets


@pytest.mark.parametrize(
    ("states", "label"),
    [
        ((S.SCHEDULED, S.SCHEDULED, S.SCHEDULED), "Scheduled"),
        ((S.PUBLISHED, S.FAILED, S.SCHEDULED), "Failed on 1 account"),
        ((S.NEEDS_ATTENTION, S.NEEDS_ATTENTION, S.PUBLISHED), "Needs attention on 2 accounts"),
        ((S.PUBLISHED, S.PUBLISHING, S.SCHEDULED), "Published on 1 of 3 accounts"),
        ((S.PUBLISHED, S.PUBLISHED, S.PUBLISHED), "Published"),
    ],
)
def test_the_header_tells_what_the_accounts_say(post, states, label):
    assert post_status(post, _set(post, *states)).label == label


def test_accounts_of_a_post_in_review_wait_for_approval(post):
    post.stage = Post.Stage.IN_REVIEW
    targets = _set(post, S.DRAFT, S.DRAFT, S.DRAFT)
    assert post_status(post, targets).label == "In review"
    assert {target_status(post, t).label for t in targets} == {"Waiting for approval"}
    post.stage = Post.Stage.CHANGES_REQUESTED
    assert target_status(post, targets[0]).label == "Changes requested"
    post.stage = Post.Stage.DRAFT
    assert target_status(post, targets[0]).label == "Not scheduled"


def test_the_post_page_shows_the_failure_in_its_header(client, post, make_member):
    target = post.targets.order_by("pk").first()
    target.state, target.last_error = S.FAILED, "X refused the post."
    target.save()
    client.force_login(make_member(post.workspace, Role.VIEWER))

    html = client.get(reverse("post_detail", args=["badges", post.pk])).content.decode()

    assert '<span class="stage stage--failed">Failed on 1 account</span>' in html
    assert ">Scheduled</span>" in html  # the other two accounts
