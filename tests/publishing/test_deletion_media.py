"""Deleting a library file that posts use: a confirmation names the posts it leaves (with what
that does to each); deleting detaches it everywhere, and a scheduled post that lost it is
treated as edited: rescheduled, back to review, or back to drafts when it can no longer be
published. A file a post is being published with right now is not deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from notifications.models import Notification
from publishing import composer, deletion, publisher, workflow
from publishing.models import Media, Post, PostMedia, PostTarget, ReviewDecision

S = PostTarget.State


@pytest.fixture
def account(workspace):
    def make(platform: str) -> ConnectedAccount:
        return ConnectedAccount.objects.get_or_create(
            workspace=workspace,
            platform=platform,
            external_id=f"{platform}-1",
            defaults={"display_name": f"Acme on {platform}"},
        )[0]

    return make


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR, full_name="Eddie Editor")


def make_post(workspace, author, accounts, text, media, *, schedule_as=None) -> Post:
    when = timezone.now() + timedelta(days=1) if schedule_as else None
    data = composer.PostInput(
        text=text,
        media_ids=[m.pk for m in media],
        targets=[composer.TargetInput(a.pk) for a in accounts],
        scheduled_at=when,
    )
    post, _ = composer.save(workspace, author, data)
    if schedule_as:
        workflow.schedule(post, schedule_as)
        post.refresh_from_db()
    return post


def delete_url(item: Media) -> str:
    return reverse("media_delete", args=["acme", item.pk])


def test_the_confirmation_names_the_posts_it_leaves_and_what_happens_to_each(
    client, workspace, owner, editor, account, upload
):
    photo = upload("image", name="latte.jpg")
    draft = make_post(workspace, editor, [account("x")], "A draft with a latte", [photo])
    scheduled = make_post(
        workspace, owner.user, [account("instagram")], "Latte art", [photo], schedule_as=owner
    )
    client.force_login(editor)

    library = client.get(reverse("media_library", args=["acme"])).content.decode()
    page = client.get(delete_url(photo)).content.decode()

    assert "Used by 2 posts" in library
    assert f'href="{delete_url(photo)}"' in library  # a link to the confirmation, not a form
    assert "It is used by 2 posts. Deleting it removes it from each:" in page
    for post in (draft, scheduled):
        assert reverse("post_detail", args=["acme", post.pk]) in page
        assert f'name="post" value="{post.pk}"' in page
    assert "The file is removed from this draft." in page
    assert "It goes back to drafts, as it could no longer be published:" in page
    assert "Delete and remove from 2 posts" in page


def test_a_file_in_use_is_not_deleted_without_the_confirmation(
    client, workspace, owner, editor, account, upload
):
    photo = upload("image")
    make_post(workspace, owner.user, [account("x")], "Uses it", [photo])
    client.force_login(editor)

    response = client.post(delete_url(photo), follow=True)

    assert response.redirect_chain[-1][0] == delete_url(photo)
    assert [str(m) for m in response.context["messages"]][-1] == (
        "photo.jpg is now used by 1 post: check which before deleting it."
    )
    assert Media.objects.filter(pk=photo.pk).exists()
    assert default_storage.exists(photo.file.name)


def test_confirming_detaches_it_everywhere_and_deletes_every_stored_copy(
    client, workspace, owner, editor, account, upload, django_capture_on_commit_callbacks
):
    photo, other = upload("image", name="latte.jpg"), upload("image", name="croissant.jpg")
    draft = make_post(workspace, editor, [account("x")], "Draft", [photo, other])
    scheduled = make_post(
        workspace, owner.user, [account("x")], "Scheduled", [other, photo], schedule_as=owner
    )
    copy = PostMedia.objects.get(post=scheduled, media=photo).payload.name
    stored = [photo.file.name, photo.thumbnail.name, copy]
    assert all(default_storage.exists(name) for name in stored)
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(photo), {"post": [draft.pk, scheduled.pk]})

    assert response["Location"] == reverse("media_library", args=["acme"])
    assert not Media.objects.filter(pk=photo.pk).exists()
    assert [a.media_id for a in draft.attachments.all()] == [other.pk]
    assert [a.media_id for a in scheduled.attachments.all()] == [other.pk]
    assert not any(default_storage.exists(name) for name in stored)
    assert default_storage.exists(other.file.name)
    scheduled.refresh_from_db()
    assert scheduled.stage == Post.Stage.SCHEDULED  # still publishable: it goes out without it
    assert set(scheduled.targets.values_list("state", flat=True)) == {S.SCHEDULED}
    event = AuditEvent.objects.get(action=AuditAction.MEDIA_DELETED)
    assert event.details == {"media_id": photo.pk, "kind": "image", "detached_from": 2}


def test_a_scheduled_post_that_cannot_go_out_without_it_returns_to_drafts_and_its_author_is_told(
    client, workspace, owner, editor, account, upload
):
    photo = upload("image")
    post = make_post(
        workspace, owner.user, [account("instagram")], "Latte art", [photo], schedule_as=owner
    )
    client.force_login(editor)

    response = client.post(delete_url(photo), {"post": [post.pk]}, follow=True)

    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT
    assert set(post.targets.values_list("state", flat=True)) == {S.DRAFT}
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Deleted photo.jpg and removed it from 1 post. Back to drafts, as they could no longer "
        "be published: “Latte art”."
    )
    note = Notification.objects.get(user=owner.user)
    assert note.message.startswith(
        "Eddie Editor deleted photo.jpg from the media library: “Latte art” went back to drafts."
    )
    assert note.url == reverse("post_detail", args=["acme", post.pk])


def test_where_approval_is_required_an_editor_sends_an_approved_post_back_to_review(
    client, workspace, owner, editor, account, upload
):
    workspace.approval_required = True
    workspace.save()
    photo, other = upload("image"), upload("image", name="second.jpg")
    post = make_post(
        workspace, owner.user, [account("x")], "Approved", [photo, other], schedule_as=owner
    )
    client.force_login(editor)

    client.post(delete_url(photo), {"post": [post.pk]})

    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW
    assert post.decisions.last().kind == ReviewDecision.Kind.REOPENED


def test_a_file_a_post_is_being_published_with_is_not_deleted(
    workspace, owner, account, upload, celery_queue
):
    photo = upload("image")
    post = make_post(workspace, owner.user, [account("x")], "Going out", [photo], schedule_as=owner)
    PostTarget.objects.filter(post=post).update(due_at=timezone.now() - timedelta(seconds=1))
    publisher.dispatch_due()  # claimed: QUEUED

    with pytest.raises(UserFacingError) as refused:
        deletion.delete_media(photo, Membership.objects.get(pk=owner.pk), seen_posts=[post.pk])

    assert str(refused.value) == (
        "“Going out” is being published to X: Acme on x right now; try again in a minute."
    )
    assert Media.objects.filter(pk=photo.pk).exists()
    assert PostMedia.objects.filter(post=post, media=photo).exists()


def test_a_post_that_started_using_it_after_the_page_was_shown_stops_the_deletion(
    workspace, owner, account, upload
):
    photo = upload("image")
    seen = make_post(workspace, owner.user, [account("x")], "Seen", [photo])
    make_post(workspace, owner.user, [account("x")], "New since", [photo])

    with pytest.raises(UserFacingError, match="now used by 2 posts"):
        deletion.delete_media(photo, owner, seen_posts=[seen.pk])

    assert PostMedia.objects.filter(media=photo).count() == 2


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_members_who_cannot_compose_do_not_see_the_confirmation(
    client, workspace, owner, make_member, upload, role
):
    photo = upload("image")
    client.force_login(make_member(workspace, role))

    assert client.get(delete_url(photo)).status_code == 403
    assert client.post(delete_url(photo)).status_code == 403
    assert Media.objects.filter(pk=photo.pk).exists()
