"""Safe scheduling (issue 14): a time that has passed is refused everywhere a time is chosen,
changing nothing; "Post now" is the explicit way to publish at once, and it does not bypass
review. Driven through the real views, with the real publisher's dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from mixora.errors import UserFacingError
from publishing import composer, workflow
from publishing.models import Post, PostingSlot, PostTarget, ReviewDecision
from publishing.publisher import dispatch_due
from publishing.schedule_rules import require_future
from tests.publishing import test_workflow as wf
from tests.publishing.test_workflow import flashed, local_input, membership, seen, url
from tests.publishing_fixtures import make_due

S = PostTarget.State
# The team workflow's fixtures: a workspace requiring approval, one member per role.
team, x_account, photo, when = wf.team, wf.x_account, wf.photo, wf.when
compose_data, draft, in_review = wf.compose_data, wf.draft, wf.in_review


def passed(**delta: float) -> datetime:
    return (timezone.now() - timedelta(**delta)).replace(second=0, microsecond=0)


# --- The rule --------------------------------------------------------------------------------


def test_a_time_that_has_passed_is_refused_with_the_time_in_the_chosen_zone():
    now = datetime(2026, 12, 3, 14, 0, 30, tzinfo=UTC)
    with pytest.raises(UserFacingError) as refused:
        require_future(datetime(2026, 12, 3, 13, 0, tzinfo=UTC), tz="Europe/Paris", now=now)
    assert str(refused.value) == (
        "That time has passed (Thu 3 Dec, 14:00 in Europe/Paris): "
        "choose a later time or use Post now."
    )
    with pytest.raises(UserFacingError):  # this very instant is not ahead either
        require_future(now, tz="UTC", now=now)
    require_future(now + timedelta(seconds=1), tz="UTC", now=now)


# --- The composer ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["schedule", "save"])
def test_the_composer_refuses_a_past_time_saves_nothing_and_keeps_what_was_typed(
    client, workspace, owner, x_account, photo, action
):
    client.force_login(owner.user)
    moment = passed(days=4)
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        {
            "text": "Autumn menu",
            "accounts": [x_account.pk],
            "media": [photo.pk],
            "scheduled_local": local_input(moment),
            f"caption_{x_account.pk}": "Autumn on X",
            "action": action,
        },
    )

    assert response.status_code == 400
    [error] = response.context["form"].errors["scheduled_local"]
    assert error.startswith("That time has passed (")
    assert error.endswith("in Europe/London): choose a later time or use Post now.")
    assert not Post.objects.exists()
    html = response.content.decode()
    assert "Autumn menu</textarea>" in html
    assert "Autumn on X" in html
    assert f'value="{local_input(moment)}"' in html
    assert f'value="{photo.pk}" checked' in html or f'value="{photo.pk}"' in html


def test_an_edit_of_a_scheduled_post_to_a_past_time_changes_nothing(
    client, workspace, owner, x_account, photo, compose_data, when
):
    client.force_login(owner.user)
    client.post(reverse("post_new", args=[workspace.slug]), compose_data(action="schedule"))
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED

    response = client.post(
        url("post_edit", post),
        compose_data(
            text="Changed", action="schedule", scheduled_local=local_input(passed(hours=1))
        ),
    )

    assert response.status_code == 400
    post.refresh_from_db()
    assert (post.text, post.stage, post.scheduled_at) == (
        "New seasonal latte",
        Post.Stage.SCHEDULED,
        when,
    )
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, when)]


def test_an_editor_cannot_submit_a_past_time_for_review(client, workspace, team, compose_data):
    client.force_login(team["editor"])
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        compose_data(action="submit", scheduled_local=local_input(passed(minutes=5))),
    )

    assert response.status_code == 400
    assert "That time has passed" in response.context["form"].errors["scheduled_local"][0]
    assert not Post.objects.exists()


def test_add_to_queue_takes_the_next_slot_whatever_time_was_typed(
    client, workspace, owner, x_account, compose_data
):
    PostingSlot.objects.create(account=x_account, weekday=0, time="09:00")
    client.force_login(owner.user)
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        compose_data(action="queue", scheduled_local=local_input(passed(days=2))),
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED
    assert post.scheduled_at > timezone.now()


# --- The post page and the workflow ----------------------------------------------------------


def test_the_post_pages_schedule_refuses_a_draft_whose_time_has_passed(
    client, workspace, owner, x_account, photo
):
    data = composer.PostInput(
        text="Left too long",
        media_ids=[photo.pk],
        targets=[composer.TargetInput(x_account.pk)],
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    post, _ = composer.save(workspace, owner.user, data)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(hours=2))
    client.force_login(owner.user)

    response = client.post(url("post_schedule", post))

    [message] = flashed(response)
    assert message.startswith("That time has passed (")
    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT
    assert list(post.targets.values_list("state", "due_at")) == [(S.DRAFT, None)]
    assert not post.attachments.exclude(payload="").exists()


def test_a_draft_whose_time_has_passed_cannot_be_submitted(workspace, team, draft):
    Post.objects.filter(pk=draft.pk).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    draft.refresh_from_db()

    with pytest.raises(UserFacingError, match="That time has passed"):
        workflow.submit(draft, membership(workspace, team["editor"]))
    draft.refresh_from_db()
    assert draft.stage == Post.Stage.DRAFT
    assert not draft.decisions.exists()


def test_approval_is_refused_once_the_time_has_passed_while_the_post_waited(
    client, team, in_review
):
    """Approving then would publish at once, which nobody chose: the approver sends it back."""
    Post.objects.filter(pk=in_review.pk).update(scheduled_at=timezone.now() - timedelta(minutes=10))
    in_review.refresh_from_db()
    client.force_login(team["approver"])

    response = client.post(url("post_approve", in_review), {"comment": "ok", **seen(in_review)})

    [message] = flashed(response)
    assert message.startswith("Nothing was approved: its time (")
    assert message.endswith(
        "in Europe/London) passed while it waited for review. Send it back asking for a new time."
    )
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW
    assert in_review.approved_by is None
    assert not in_review.decisions.filter(kind=ReviewDecision.Kind.APPROVED).exists()
    assert list(in_review.targets.values_list("state", flat=True)) == [S.DRAFT]


def test_the_fixture_schedules_ahead_then_lets_time_pass(scheduled_post, x_account):
    post = scheduled_post([x_account], "Due")
    assert post.scheduled_at <= timezone.now()
    assert dispatch_due() == 1
    assert make_due(post, post.scheduled_at).stage == Post.Stage.SCHEDULED


# --- Post now --------------------------------------------------------------------------------


def test_post_now_in_the_composer_publishes_at_once(
    client, workspace, owner, x_account, compose_data, django_capture_on_commit_callbacks
):
    client.force_login(owner.user)
    before = timezone.now()
    # A time typed before changing one's mind is not used, even one that has passed.
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        compose_data(action="now", scheduled_local=local_input(passed(days=1))),
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert flashed(response) == ["Publishing now."]
    assert post.stage == Post.Stage.SCHEDULED
    assert before <= post.scheduled_at <= timezone.now()
    [target] = post.targets.all()
    assert (target.state, target.due_at) == (S.SCHEDULED, post.scheduled_at)
    assert post.attachments.exclude(payload="").count() == 1
    assert dispatch_due() == 1


def test_post_now_of_an_edited_scheduled_post_sends_the_new_content_now(
    client, workspace, owner, compose_data, when
):
    client.force_login(owner.user)
    client.post(reverse("post_new", args=[workspace.slug]), compose_data(action="schedule"))
    post = Post.objects.get()

    client.post(url("post_edit", post), compose_data(text="Out today", action="now"))

    post.refresh_from_db()
    assert post.text == "Out today"
    assert post.stage == Post.Stage.SCHEDULED
    assert post.scheduled_at <= timezone.now()
    assert list(post.targets.values_list("state", flat=True)) == [S.SCHEDULED]
    assert post.targets.get().due_at == post.scheduled_at


def test_post_now_on_the_post_page_moves_a_scheduled_post_to_now(
    client, workspace, owner, compose_data
):
    client.force_login(owner.user)
    client.post(reverse("post_new", args=[workspace.slug]), compose_data(action="schedule"))
    post = Post.objects.get()
    assert "Post now" in client.get(url("post_detail", post)).content.decode()
    assert dispatch_due() == 0

    response = client.post(url("post_now", post))

    assert flashed(response) == ["Publishing now."]
    post.refresh_from_db()
    assert post.scheduled_at <= timezone.now()
    assert post.targets.get().due_at == post.scheduled_at
    assert dispatch_due() == 1


def test_someone_who_needs_approval_cannot_post_now(client, workspace, team, compose_data, draft):
    client.force_login(team["editor"])
    page = client.get(reverse("post_new", args=[workspace.slug])).content.decode()
    assert 'value="now"' not in page
    assert "Post now" not in client.get(url("post_detail", draft)).content.decode()

    response = client.post(reverse("post_new", args=[workspace.slug]), compose_data(action="now"))
    assert response.status_code == 400
    assert list(response.context["form"].non_field_errors()) == [
        "This workspace requires approval: choose a time and submit for review."
    ]
    assert Post.objects.count() == 1  # only the draft fixture

    # Nor through the edit of an approved post (which would otherwise skip re-review).
    edit = client.post(url("post_edit", draft), compose_data(text="Sneaky", action="now"))
    assert edit.status_code == 400
    draft.refresh_from_db()
    assert draft.text == "New seasonal latte"

    refused = client.post(url("post_now", draft))
    assert flashed(refused) == ["This workspace requires approval: submit the post for review."]
    draft.refresh_from_db()
    assert draft.stage == Post.Stage.DRAFT
    assert list(draft.targets.values_list("state", flat=True)) == [S.DRAFT]


def test_without_approval_an_editor_posts_now_from_the_post_page(
    client, workspace, team, draft, when
):
    workspace.approval_required = False
    workspace.save()
    client.force_login(team["editor"])
    assert "Post now" in client.get(url("post_detail", draft)).content.decode()

    response = client.post(url("post_now", draft))

    assert flashed(response) == ["Publishing now."]
    draft.refresh_from_db()
    assert draft.stage == Post.Stage.SCHEDULED
    assert draft.scheduled_at <= timezone.now()
    assert dispatch_due() == 1


def test_post_now_refuses_a_post_that_cannot_be_published(client, workspace, owner):
    post = Post.objects.create(workspace=workspace, author=owner.user, text="No accounts")
    client.force_login(owner.user)

    response = client.post(url("post_now", post))

    assert flashed(response) == ["Choose at least one account to publish to."]
    post.refresh_from_db()
    assert (post.stage, post.scheduled_at) == (Post.Stage.DRAFT, None)


@pytest.mark.parametrize("name", ["post_now", "post_duplicate"])
def test_viewers_and_approvers_cannot_post_now_or_duplicate(client, team, draft, name):
    for role in (Role.VIEWER, Role.APPROVER):
        client.force_login(team[role.value])
        assert client.post(url(name, draft)).status_code == 403
    assert Post.objects.count() == 1
    draft.refresh_from_db()
    assert draft.stage == Post.Stage.DRAFT


def test_a_refused_post_now_of_an_edited_scheduled_post_leaves_it_off_the_schedule(
    client, workspace, owner, compose_data
):
    client.force_login(owner.user)
    client.post(reverse("post_new", args=[workspace.slug]), compose_data(action="schedule"))
    post = Post.objects.get()

    response = client.post(url("post_edit", post), compose_data(text="x" * 300, action="now"))

    assert response.status_code == 400
    [error] = response.context["form"].non_field_errors()
    assert error.startswith("Saved as a draft, but not published: X: Acme on X:")
    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT
    assert list(post.targets.values_list("state", "due_at")) == [(S.DRAFT, None)]
    assert dispatch_due() == 0
