"""Duplicate and delete from the posts list and the post page (issue 14): a duplicate is a new
draft with the same content and no time; deletion keeps issue 8's rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import composer, duplication, workflow
from publishing.models import Post, PostTarget
from tests.publishing import test_workflow as wf
from tests.publishing.test_workflow import flashed, membership, url

S = PostTarget.State
team, x_account, photo, when = wf.team, wf.x_account, wf.photo, wf.when


@pytest.fixture
def yt_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="youtube", external_id="yt-1", display_name="Acme TV"
    )


@pytest.fixture
def published(workspace, team, x_account, yt_account, photo, upload, when):
    """A post the owner published: shared media for X, YouTube with its own video, caption
    and options."""
    video = upload("video", name="launch.mp4")
    data = composer.PostInput(
        text="Launch day",
        media_ids=[photo.pk],
        targets=[
            composer.TargetInput(x_account.pk, caption="Launch day on X"),
            composer.TargetInput(
                yt_account.pk,
                options={"title": "Launch", "privacy": "public"},
                media_ids=[video.pk],
            ),
        ],
        scheduled_at=when,
    )
    post, _ = composer.save(workspace, team["owner"], data)
    workflow.schedule(post, membership(workspace, team["owner"]))
    post.targets.update(state=S.PUBLISHED, platform_post_id="p-1", due_at=None)
    Post.objects.filter(pk=post.pk).update(stage=Post.Stage.PUBLISHED)
    post.refresh_from_db()
    return post


def content(post: Post) -> tuple:
    return (
        post.text,
        sorted(post.targets.values_list("account_id", "caption", "options", "own_media")),
        sorted(post.attachments.values_list("account_id", "media_id", "position"), key=str),
    )


def test_duplicating_a_published_post_makes_a_draft_with_its_content_and_no_time(
    client, workspace, team, published
):
    before = content(published)
    client.force_login(team["editor"])

    response = client.post(url("post_duplicate", published))

    copy = Post.objects.exclude(pk=published.pk).get()
    assert response["Location"] == url("post_edit", copy)
    assert flashed(response) == ["Duplicated: this is a new draft with no time yet."]
    assert content(copy) == before
    assert (copy.stage, copy.scheduled_at, copy.author) == (
        Post.Stage.DRAFT,
        None,
        team["editor"],
    )
    assert list(copy.targets.values_list("state", "due_at", "platform_post_id")) == [
        (S.DRAFT, None, ""),
        (S.DRAFT, None, ""),
    ]
    assert not copy.attachments.exclude(payload="").exists()
    assert not copy.decisions.exists()
    # The original is untouched, and the copy opens in the composer.
    published.refresh_from_db()
    assert published.stage == Post.Stage.PUBLISHED
    assert content(published) == before
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Launch day</textarea>" in page.content.decode()


def test_duplication_is_refused_to_someone_who_cannot_compose(workspace, team, published):
    with pytest.raises(UserFacingError):
        duplication.duplicate(published, membership(workspace, team["approver"]))
    assert Post.objects.count() == 1


def test_the_posts_list_offers_duplicate_to_composers_and_delete_under_issue_8s_rules(
    client, workspace, team, published
):
    list_url = reverse("post_list", args=[workspace.slug]) + "?tab=published"
    duplicate_form = f'action="{url("post_duplicate", published)}"'
    delete_link = f'href="{url("post_delete", published)}"'

    client.force_login(team["owner"])  # an owner may delete any post
    html = client.get(list_url).content.decode()
    assert duplicate_form in html
    assert delete_link in html

    client.force_login(team["editor"])  # not its author: duplicate only
    html = client.get(list_url).content.decode()
    assert duplicate_form in html
    assert delete_link not in html

    for role in ("viewer", "approver"):
        client.force_login(team[role])
        html = client.get(list_url).content.decode()
        assert published.text in html
        assert duplicate_form not in html
        assert delete_link not in html


def test_the_post_page_offers_duplicate_and_delete(client, team, published):
    client.force_login(team["owner"])
    html = client.get(url("post_detail", published)).content.decode()
    assert f'action="{url("post_duplicate", published)}"' in html
    assert f'href="{url("post_delete", published)}"' in html
    assert "Post now" not in html  # already published


def test_a_post_of_another_workspace_cannot_be_duplicated(client, make_member, published):
    from tests.factories import WorkspaceFactory

    other = WorkspaceFactory(slug="other")
    client.force_login(make_member(other, Role.OWNER))
    response = client.post(reverse("post_duplicate", args=["other", published.pk]))
    assert response.status_code == 404
    assert Post.objects.count() == 1
