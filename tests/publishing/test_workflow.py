"""The team workflow: review and approval, edits after approval, who may do what, comments,
unscheduling and retries. Driven through the real views; notifications and email are real
(email through the locmem backend, sent on commit)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from connections.models import ConnectedAccount
from notifications.models import Notification
from publishing import composer, workflow
from publishing.models import Post, PostComment, PostTarget, ReviewDecision
from publishing.review import content_version

S = PostTarget.State
D = ReviewDecision.Kind


@pytest.fixture
def team(workspace, owner, make_member):
    """A workspace that requires approval, with one member of each role."""
    workspace.approval_required = True
    workspace.admins_skip_review = True
    workspace.save()
    owner.user.full_name = "Olive Owner"
    owner.user.save()
    people = {"owner": owner.user}
    for role, name in [
        (Role.ADMIN, "Ada Admin"),
        (Role.EDITOR, "Eddie Editor"),
        (Role.APPROVER, "Abe Approver"),
        (Role.VIEWER, "Vera Viewer"),
    ]:
        people[role.value] = make_member(
            workspace, role, full_name=name, email=f"{role.value}@acme.test"
        )
    return people


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


@pytest.fixture
def photo(upload):
    return upload("image", name="latte.jpg")


def membership(workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def url(name: str, post: Post, *extra: int) -> str:
    return reverse(name, args=[post.workspace.slug, post.pk, *extra])


def seen(post: Post) -> dict[str, str]:
    """What the review page's form sends: the version of the content it showed."""
    return {"version": content_version(post)}


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def local_input(moment) -> str:
    """The composer's datetime-local value for `moment` in the workspace's zone."""
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def when():
    """A publishing time in the future, to the minute (the composer's precision)."""
    return (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)


@pytest.fixture
def compose_data(x_account, photo, when):
    def make(text: str = "New seasonal latte", action: str = "save", **extra: object) -> dict:
        return {
            "text": text,
            "accounts": [x_account.pk],
            "media": [photo.pk],
            "scheduled_local": local_input(when),
            "action": action,
            **extra,
        }

    return make


@pytest.fixture
def draft(workspace, team, x_account, photo, when):
    """A publishable draft written by the editor."""
    data = composer.PostInput(
        text="New seasonal latte",
        media_ids=[photo.pk],
        targets=[composer.TargetInput(x_account.pk)],
        scheduled_at=when,
    )
    post, _ = composer.save(workspace, team["editor"], data)
    return post


@pytest.fixture
def in_review(workspace, team, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(draft, membership(workspace, team["editor"]))
    mail.outbox.clear()
    Notification.objects.all().delete()
    return draft


@pytest.fixture
def approved(client, workspace, team, in_review):
    client.force_login(team["approver"])
    client.post(url("post_approve", in_review), {"comment": "Ship it", **seen(in_review)})
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.SCHEDULED
    Notification.objects.all().delete()
    return in_review


def payload_keys(post: Post) -> set[str]:
    prefix = f"payloads/{post.pk}/"
    return {obj.key for obj in default_storage.bucket.objects.filter(Prefix=prefix)}


# --- Review required -------------------------------------------------------------------------


def test_an_editor_cannot_schedule_when_approval_is_required(client, workspace, team, compose_data):
    client.force_login(team["editor"])
    response = client.post(
        reverse("post_new", args=[workspace.slug]), compose_data(action="schedule")
    )

    assert response.status_code == 400
    assert list(response.context["form"].non_field_errors()) == [
        "Saved as a draft, but not scheduled: "
        "This workspace requires approval: submit the post for review."
    ]
    post = Post.objects.get()
    assert post.stage == Post.Stage.DRAFT
    assert list(post.targets.values_list("state", flat=True)) == [S.DRAFT]
    assert not post.attachments.exclude(payload="").exists()

    refused = client.post(url("post_schedule", post))
    assert flashed(refused) == ["This workspace requires approval: submit the post for review."]
    post.refresh_from_db()
    assert post.stage == Post.Stage.DRAFT


def test_the_composer_offers_an_editor_submit_for_review_not_schedule(client, workspace, team):
    client.force_login(team["editor"])
    html = client.get(reverse("post_new", args=[workspace.slug])).content.decode()

    assert 'value="submit">Submit for review</button>' in html
    assert 'value="schedule"' not in html


def test_submitting_puts_the_post_in_review_and_notifies_the_approvers(
    client, workspace, team, compose_data, django_capture_on_commit_callbacks
):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("post_new", args=[workspace.slug]), compose_data(action="submit")
        )

    post = Post.objects.get()
    assert response.status_code == 302
    assert flashed(response) == ["Sent for review."]
    assert post.stage == Post.Stage.IN_REVIEW
    assert list(post.targets.values_list("state", flat=True)) == [S.DRAFT]
    assert [(d.kind, d.actor) for d in post.decisions.all()] == [(D.SUBMITTED, team["editor"])]

    notes = Notification.objects.filter(workspace=workspace)
    assert {n.user for n in notes} == {team["owner"], team["admin"], team["approver"]}
    for note in notes:
        assert note.message == "Eddie Editor asks for review: “New seasonal latte”."
        assert note.url == url("post_detail", post)
        assert note.read_at is None

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [team["owner"].email, team["admin"].email, team["approver"].email]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert {m.subject for m in mail.outbox} == {"Review requested in Acme: New seasonal latte"}
    assert all(url("post_detail", post) in m.body for m in mail.outbox)
    assert all("Eddie Editor submitted a post for review" in m.body for m in mail.outbox)


def test_a_post_that_cannot_be_published_is_not_sent_for_review(client, workspace, team, x_account):
    client.force_login(team["editor"])
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        {"text": "a" * 281, "accounts": [x_account.pk], "action": "submit"},
    )

    assert response.status_code == 400
    error = list(response.context["form"].non_field_errors())[0]
    assert error.startswith("Saved as a draft, but not sent for review: X: Acme on X: X allows")
    assert "Choose when to publish." in error
    post = Post.objects.get()
    assert post.stage == Post.Stage.DRAFT
    assert not post.decisions.exists()
    assert not Notification.objects.exists()


# --- Approve and reject ----------------------------------------------------------------------


def test_approving_schedules_the_post_copies_its_media_and_tells_the_author(
    client, workspace, team, in_review, photo, when
):
    client.force_login(team["approver"])
    response = client.post(
        url("post_approve", in_review), {"comment": "Lovely, ship it", **seen(in_review)}
    )

    assert flashed(response) == ["Approved and scheduled."]
    post = Post.objects.get(pk=in_review.pk)
    assert post.stage == Post.Stage.SCHEDULED
    assert post.approved_by == team["approver"]
    assert post.approved_at is not None
    assert post.scheduled_at == when
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, when)]

    attachment = post.attachments.get()
    assert attachment.payload.name.startswith(f"payloads/{post.pk}/0-")
    assert attachment.payload.name.endswith(".jpg")
    assert attachment.payload.name != photo.file.name
    with (
        default_storage.open(attachment.payload.name, "rb") as copy,
        photo.file.open("rb") as original,
    ):
        assert copy.read() == original.read()
    assert payload_keys(post) == {attachment.payload.name}

    decisions = [(d.kind, d.actor, d.comment) for d in post.decisions.all()]
    assert decisions == [
        (D.SUBMITTED, team["editor"], ""),
        (D.APPROVED, team["approver"], "Lovely, ship it"),
    ]
    notes = Notification.objects.all()
    assert [(n.user, n.message) for n in notes] == [
        (team["editor"], "Abe Approver approved “New seasonal latte”.")
    ]


def test_the_decision_history_shows_on_the_post_page(client, team, approved):
    client.force_login(team["viewer"])
    html = client.get(url("post_detail", approved)).content.decode()

    assert "Submitted for review" in html
    assert "Approved" in html
    assert "Abe Approver" in html
    assert "“Ship it”" in html


def test_only_a_post_in_review_can_be_approved(client, team, draft):
    client.force_login(team["approver"])
    response = client.post(url("post_approve", draft))

    assert flashed(response) == ["Only a post in review can be approved."]
    draft.refresh_from_db()
    assert draft.stage == Post.Stage.DRAFT
    assert draft.approved_by is None
    assert not draft.decisions.exists()


def test_rejecting_needs_a_comment(client, team, in_review):
    client.force_login(team["approver"])
    response = client.post(url("post_reject", in_review), {"comment": "   "})

    assert flashed(response) == ["Say what needs to change."]
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW
    assert list(in_review.decisions.values_list("kind", flat=True)) == [D.SUBMITTED]
    assert not Notification.objects.exists()


def test_rejecting_with_a_comment_asks_the_author_for_changes(client, team, in_review):
    client.force_login(team["approver"])
    response = client.post(
        url("post_reject", in_review), {"comment": "Mention oat milk", **seen(in_review)}
    )

    assert flashed(response) == ["Sent back with your comment."]
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.CHANGES_REQUESTED
    assert in_review.approved_by is None
    assert [(d.kind, d.actor, d.comment) for d in in_review.decisions.all()] == [
        (D.SUBMITTED, team["editor"], ""),
        (D.REJECTED, team["approver"], "Mention oat milk"),
    ]
    assert list(in_review.targets.values_list("state", flat=True)) == [S.DRAFT]
    assert [(n.user, n.message) for n in Notification.objects.all()] == [
        (
            team["editor"],
            "Abe Approver asked for changes to “New seasonal latte”: Mention oat milk",
        )
    ]


def test_a_post_sent_back_can_be_fixed_and_submitted_again(
    client, workspace, team, in_review, compose_data
):
    workflow.reject(in_review, membership(workspace, team["approver"]), "Shorter please")
    client.force_login(team["editor"])

    response = client.post(url("post_edit", in_review), compose_data("Latte!", action="submit"))

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.text, in_review.stage) == ("Latte!", Post.Stage.IN_REVIEW)
    assert list(in_review.decisions.values_list("kind", flat=True)) == [
        D.SUBMITTED,
        D.REJECTED,
        D.SUBMITTED,
    ]


# --- Edits after approval --------------------------------------------------------------------


def test_an_editors_edit_after_approval_sends_the_post_back_to_review(
    client, team, approved, compose_data
):
    client.force_login(team["editor"])
    response = client.post(url("post_edit", approved), compose_data("Now with oat milk"))

    assert response.status_code == 302
    post = Post.objects.get(pk=approved.pk)
    assert post.text == "Now with oat milk"
    assert post.stage == Post.Stage.IN_REVIEW
    assert (post.approved_by, post.approved_at) == (None, None)
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.DRAFT, None)]
    assert [(d.kind, d.actor) for d in post.decisions.all()][-1] == (D.REOPENED, team["editor"])


def test_an_unchanged_save_of_an_approved_post_keeps_it_scheduled(
    client, team, approved, compose_data, when
):
    client.force_login(team["editor"])
    client.post(url("post_edit", approved), compose_data())

    post = Post.objects.get(pk=approved.pk)
    assert post.stage == Post.Stage.SCHEDULED
    assert post.approved_by == team["approver"]
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, when)]
    assert D.REOPENED not in post.decisions.values_list("kind", flat=True)


def assert_no_orphaned_copies(post: Post) -> None:
    """Privacy policy §6: a copy made for publishing is deleted once the post is out or
    expired, through its attachment; a copy no attachment points to would never be."""
    current = {a.payload.name for a in post.attachments.exclude(payload="")}
    assert payload_keys(post) == current


def test_saving_an_approved_post_unchanged_leaves_no_publishing_copy_behind(
    client, team, approved, compose_data
):
    assert len(payload_keys(approved)) == 1
    client.force_login(team["editor"])

    client.post(url("post_edit", approved), compose_data())

    assert_no_orphaned_copies(Post.objects.get(pk=approved.pk))


@pytest.fixture
def owners_scheduled(client, workspace, team, compose_data):
    """The owner (admins skip review) writes and schedules a post directly."""
    client.force_login(team["owner"])
    response = client.post(
        reverse("post_new", args=[workspace.slug]), compose_data(action="schedule")
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED
    return post


def test_an_owner_who_skips_review_edits_a_scheduled_post_and_it_stays_scheduled(
    client, team, owners_scheduled, compose_data, when
):
    response = client.post(
        url("post_edit", owners_scheduled), compose_data("Owner's new words", action="schedule")
    )

    assert response.status_code == 302
    post = Post.objects.get(pk=owners_scheduled.pk)
    assert post.text == "Owner's new words"
    assert post.stage == Post.Stage.SCHEDULED
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, when)]
    assert not post.decisions.exists()
    assert post.attachments.get().payload


def test_moving_a_scheduled_post_to_another_time_moves_its_targets_due_time(
    client, team, owners_scheduled, compose_data, when
):
    later = when + timedelta(days=1, hours=2)
    response = client.post(
        url("post_edit", owners_scheduled),
        compose_data(action="schedule", scheduled_local=local_input(later)),
    )

    assert response.status_code == 302
    post = Post.objects.get(pk=owners_scheduled.pk)
    assert post.scheduled_at == later
    assert post.stage == Post.Stage.SCHEDULED
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, later)]


def test_an_owners_edit_of_a_scheduled_post_leaves_no_publishing_copy_behind(
    client, team, owners_scheduled, compose_data
):
    assert len(payload_keys(owners_scheduled)) == 1

    client.post(url("post_edit", owners_scheduled), compose_data("Edited", action="schedule"))

    assert_no_orphaned_copies(Post.objects.get(pk=owners_scheduled.pk))


def test_an_edit_that_sends_a_post_back_to_review_leaves_no_publishing_copy_behind(
    client, team, approved, compose_data
):
    client.force_login(team["editor"])

    client.post(url("post_edit", approved), compose_data("Now with oat milk"))

    assert_no_orphaned_copies(Post.objects.get(pk=approved.pk))


def test_with_admins_skip_review_off_the_owner_must_submit_too(
    client, workspace, team, compose_data
):
    workspace.admins_skip_review = False
    workspace.save()
    client.force_login(team["owner"])

    response = client.post(
        reverse("post_new", args=[workspace.slug]), compose_data(action="schedule")
    )

    assert response.status_code == 400
    assert list(response.context["form"].non_field_errors()) == [
        "Saved as a draft, but not scheduled: "
        "This workspace requires approval: submit the post for review."
    ]
    post = Post.objects.get()
    assert post.stage == Post.Stage.DRAFT

    client.post(url("post_submit", post))
    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW
    assert list(post.decisions.values_list("kind", "actor")) == [(D.SUBMITTED, team["owner"].pk)]


def test_with_admins_skip_review_off_an_owners_edit_of_an_approved_post_goes_back_to_review(
    client, workspace, team, approved, compose_data
):
    workspace.admins_skip_review = False
    workspace.save()
    client.force_login(team["owner"])

    client.post(url("post_edit", approved), compose_data("Owner tweak"))

    post = Post.objects.get(pk=approved.pk)
    assert post.stage == Post.Stage.IN_REVIEW
    assert [t.state for t in post.targets.all()] == [S.DRAFT]
    assert post.decisions.last().kind == D.REOPENED


def test_without_approval_an_editor_schedules_directly(client, workspace, team, compose_data, when):
    workspace.approval_required = False
    workspace.save()
    client.force_login(team["editor"])

    response = client.post(
        reverse("post_new", args=[workspace.slug]), compose_data(action="schedule")
    )

    assert response.status_code == 302
    assert flashed(response) == ["Scheduled."]
    post = Post.objects.get()
    assert post.stage == Post.Stage.SCHEDULED
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.SCHEDULED, when)]
    assert post.attachments.get().payload
    assert not post.decisions.exists()
    assert not Notification.objects.exists()


# --- Who may do what -------------------------------------------------------------------------


def test_viewers_cannot_comment(client, team, draft):
    client.force_login(team["viewer"])
    response = client.post(url("post_comment", draft), {"body": "Nice"})

    assert response.status_code == 403
    assert not PostComment.objects.exists()


def test_viewers_cannot_approve_reject_unschedule_or_retry(client, team, in_review, x_account):
    target = in_review.targets.get()
    client.force_login(team["viewer"])

    for name, args in [
        ("post_approve", ()),
        ("post_reject", ()),
        ("post_unschedule", ()),
        ("post_submit", ()),
        ("post_target_retry", (target.pk,)),
    ]:
        assert client.post(url(name, in_review, *args), {"comment": "x"}).status_code == 403
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW


def test_approvers_comment_and_approve_but_do_not_compose(client, workspace, team, in_review):
    client.force_login(team["approver"])

    assert (
        client.post(url("post_comment", in_review), {"body": "Which oat milk?"}).status_code == 302
    )
    assert client.get(reverse("post_new", args=[workspace.slug])).status_code == 403
    assert client.get(url("post_edit", in_review)).status_code == 403
    assert client.post(url("post_submit", in_review)).status_code == 403
    assert client.post(url("post_approve", in_review), seen(in_review)).status_code == 302

    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.SCHEDULED
    assert [(c.author, c.body) for c in in_review.comments.all()] == [
        (team["approver"], "Which oat milk?")
    ]


@pytest.mark.parametrize("action", ["post_approve", "post_reject"])
def test_editors_cannot_approve_or_reject(client, team, in_review, action):
    client.force_login(team["editor"])
    response = client.post(url(action, in_review), {"comment": "Self-approved"})

    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW
    assert in_review.approved_by is None
    assert list(in_review.decisions.values_list("kind", flat=True)) == [D.SUBMITTED]


def test_comments_appear_on_the_post_page(client, team, draft):
    client.force_login(team["editor"])
    response = client.post(url("post_comment", draft), {"body": "Draft one, thoughts?"})
    assert flashed(response) == ["Comment added."]
    client.force_login(team["approver"])
    client.post(url("post_comment", draft), {"body": "Add the price\nand the hours"})

    client.force_login(team["viewer"])
    html = client.get(url("post_detail", draft)).content.decode()

    assert "Draft one, thoughts?" in html
    assert "Add the price<br>and the hours" in html
    assert "Eddie Editor" in html
    assert "Abe Approver" in html
    assert 'action="' + url("post_comment", draft) not in html  # the viewer gets no form


def test_an_empty_comment_is_refused(client, team, draft):
    client.force_login(team["editor"])
    response = client.post(url("post_comment", draft), {"body": "  \n "})

    assert flashed(response) == ["Write something first."]
    assert not PostComment.objects.exists()


# --- Unschedule and retry --------------------------------------------------------------------


def test_unscheduling_moves_the_targets_back_to_draft(client, team, approved):
    client.force_login(team["editor"])
    response = client.post(url("post_unschedule", approved))

    assert flashed(response)[-1] == "Moved back to drafts."
    post = Post.objects.get(pk=approved.pk)
    assert post.stage == Post.Stage.DRAFT
    assert [(t.state, t.due_at) for t in post.targets.all()] == [(S.DRAFT, None)]


@pytest.fixture
def failed_target(workspace, team, x_account):
    post = Post.objects.create(
        workspace=workspace,
        author=team["editor"],
        text="Went wrong",
        stage=Post.Stage.SCHEDULED,
        scheduled_at=timezone.now() - timedelta(hours=1),
    )
    return PostTarget.objects.create(
        post=post,
        account=x_account,
        state=S.FAILED,
        due_at=timezone.now() - timedelta(hours=1),
        attempts=3,
        outcome_unknown=True,
        last_error="Gave up after 3 attempts: timed out",
    )


@pytest.mark.parametrize("state", [S.FAILED, S.NEEDS_ATTENTION])
def test_retrying_a_failed_target_schedules_it_now_and_keeps_the_outcome_unknown(
    client, team, failed_target, state
):
    PostTarget.objects.filter(pk=failed_target.pk).update(state=state)
    client.force_login(team["editor"])
    before = timezone.now()

    response = client.post(url("post_target_retry", failed_target.post, failed_target.pk))

    assert flashed(response) == ["Publishing to X: Acme on X again."]
    failed_target.refresh_from_db()
    assert failed_target.state == S.SCHEDULED
    assert before <= failed_target.due_at <= timezone.now()
    assert failed_target.outcome_unknown is True
    assert failed_target.last_error == ""
    assert failed_target.attempts == 3


def test_retry_is_refused_while_the_account_needs_reconnecting(
    client, team, failed_target, x_account
):
    x_account.status = ConnectedAccount.Status.NEEDS_RECONNECT
    x_account.save()
    client.force_login(team["editor"])

    response = client.post(url("post_target_retry", failed_target.post, failed_target.pk))

    assert flashed(response) == ["Reconnect X: Acme on X first."]
    failed_target.refresh_from_db()
    assert failed_target.state == S.FAILED
    assert failed_target.last_error == "Gave up after 3 attempts: timed out"


def test_retrying_a_published_target_changes_nothing(client, team, failed_target):
    PostTarget.objects.filter(pk=failed_target.pk).update(
        state=S.PUBLISHED, platform_post_id="123", outcome_unknown=False
    )
    client.force_login(team["editor"])

    client.post(url("post_target_retry", failed_target.post, failed_target.pk))

    failed_target.refresh_from_db()
    assert (failed_target.state, failed_target.platform_post_id) == (S.PUBLISHED, "123")


def test_a_target_of_another_post_cannot_be_retried_through_this_one(
    client, team, failed_target, draft
):
    client.force_login(team["editor"])
    response = client.post(url("post_target_retry", draft, failed_target.pk))

    assert response.status_code == 404
    failed_target.refresh_from_db()
    assert failed_target.state == S.FAILED


# --- a decision applies to exactly what the approver saw -------------------------------------


def test_the_review_page_shows_what_each_account_receives_and_its_version(client, team, in_review):
    target = in_review.targets.get()
    target.caption = "Only for X: oat milk is back"
    target.save(update_fields=["caption"])
    client.force_login(team["approver"])

    html = client.get(url("post_detail", in_review)).content.decode()

    assert "Only for X: oat milk is back" in html
    assert f'name="version" value="{content_version(in_review)}"' in html


def test_an_approval_of_a_post_edited_after_it_was_opened_is_refused(client, team, in_review):
    client.force_login(team["approver"])
    opened = seen(in_review)  # the approver opens the review page
    Post.objects.filter(pk=in_review.pk).update(text="Edited after the approver looked")

    response = client.post(url("post_approve", in_review), {"comment": "Ship it", **opened})

    assert flashed(response) == [
        "This post changed after you opened it. Nothing was decided: look at it again."
    ]
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW
    assert in_review.approved_by is None
    assert list(in_review.decisions.values_list("kind", flat=True)) == [D.SUBMITTED]


@pytest.mark.parametrize(
    "change",
    ["caption", "options", "media"],
)
def test_any_change_to_what_an_account_receives_changes_the_version(in_review, change, photo):
    before = content_version(in_review)
    target = in_review.targets.get()
    if change == "caption":
        target.caption = "A caption of its own"
        target.save(update_fields=["caption"])
    elif change == "options":
        target.options = {**target.options, "reply_settings": "following"}
        target.save(update_fields=["options"])
    else:
        in_review.attachments.all().delete()

    assert content_version(in_review) != before


def test_sending_back_a_post_edited_after_it_was_opened_is_refused_too(client, team, in_review):
    client.force_login(team["approver"])
    opened = seen(in_review)
    Post.objects.filter(pk=in_review.pk).update(text="Edited meanwhile")

    response = client.post(url("post_reject", in_review), {"comment": "Shorter", **opened})

    assert flashed(response) == [
        "This post changed after you opened it. Nothing was decided: look at it again."
    ]
    in_review.refresh_from_db()
    assert in_review.stage == Post.Stage.IN_REVIEW


def test_an_edit_the_schedule_refuses_waits_as_a_draft_and_says_so(
    client, team, approved, compose_data
):
    """The owner edits a scheduled post into one X refuses: it must not go out at its old time
    with content nobody could schedule, and the page says what happened."""
    client.force_login(team["owner"])

    response = client.post(url("post_edit", approved), compose_data("a" * 281, action="save"))

    assert response.status_code == 400
    error = list(response.context["form"].non_field_errors())[0]
    assert error.startswith("Saved as a draft, but not kept on the schedule: X: Acme on X")
    post = Post.objects.get(pk=approved.pk)
    assert (post.stage, post.text) == (Post.Stage.DRAFT, "a" * 281)
    assert set(post.targets.values_list("state", flat=True)) == {PostTarget.State.DRAFT}
