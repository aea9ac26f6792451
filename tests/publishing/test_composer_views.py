"""The composer pages: who may use them, what a save stores, that a refusal loses nothing
the person typed, times in the workspace's zone, and the live per-account check."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import composer, media, workflow
from publishing.models import Post, PostMedia, PostTarget
from publishing.sample_media import image_bytes
from tests.factories import MembershipFactory, WorkspaceFactory

S = PostTarget.State
TT_OFF = {"allow_comment": False, "allow_duet": False, "allow_stitch": False}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def accts(workspace):
    """One account per platform, created directly (nothing here publishes)."""
    made = {}
    for platform, name in [
        ("x", "Acme on X"),
        ("instagram", "Acme Gram"),
        ("facebook", "Acme Page"),
        ("tiktok", "Acme Tok"),
        ("youtube", "Acme TV"),
    ]:
        made[platform] = ConnectedAccount.objects.create(
            workspace=workspace, platform=platform, external_id=f"{platform}-1", display_name=name
        )
    return made


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR)


@pytest.fixture
def new_url(workspace):
    return reverse("post_new", args=[workspace.slug])


@pytest.fixture
def check_url(workspace):
    return reverse("post_check", args=[workspace.slug])


def checked_accounts(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="accounts" value="(\d+)" checked', html)}


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return match.group(1).strip()


def non_field_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


# --- Who may compose -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.EDITOR])
def test_the_composer_renders_for_members_who_compose(
    client, workspace, make_member, accts, new_url, role
):
    client.force_login(make_member(workspace, role))
    response = client.get(new_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="composer"' in html
    for account in accts.values():
        assert f'name="accounts" value="{account.pk}"' in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_viewers_and_approvers_cannot_open_or_post_the_composer(
    client, workspace, make_member, accts, new_url, role
):
    client.force_login(make_member(workspace, role))

    assert client.get(new_url).status_code == 403
    assert client.post(new_url, {"text": "Hi", "accounts": [accts["x"].pk]}).status_code == 403
    post = Post.objects.create(workspace=workspace, text="Existing")
    assert client.get(reverse("post_edit", args=[workspace.slug, post.pk])).status_code == 403
    assert Post.objects.count() == 1


# --- Saving a draft --------------------------------------------------------------------------


def test_saving_a_draft_stores_the_post_its_targets_their_options_and_the_media_order(
    client, workspace, editor, accts, new_url, upload
):
    first = upload("image", name="first.jpg")
    second = upload("video", name="second.mp4")
    x, yt, tt = accts["x"], accts["youtube"], accts["tiktok"]
    client.force_login(editor)

    response = client.post(
        new_url,
        {
            "text": "Our spring menu",
            "accounts": [x.pk, yt.pk, tt.pk],
            "media": [second.pk, first.pk],
            f"caption_{x.pk}": "Spring menu, short for X",
            f"title_{yt.pk}": "Spring menu tour",
            f"privacy_{yt.pk}": "unlisted",
            f"caption_{yt.pk}": "A walk through the new menu",
            f"privacy_{tt.pk}": "SELF_ONLY",
            "action": "save",
        },
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("post_detail", args=[workspace.slug, post.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Draft saved."]
    assert (post.text, post.stage, post.author, post.scheduled_at) == (
        "Our spring menu",
        Post.Stage.DRAFT,
        editor,
        None,
    )
    targets = {t.account_id: t for t in post.targets.all()}
    assert set(targets) == {x.pk, yt.pk, tt.pk}
    assert all(t.state == S.DRAFT and t.due_at is None for t in targets.values())
    assert (targets[x.pk].caption, targets[x.pk].options) == ("Spring menu, short for X", {})
    assert targets[yt.pk].caption == "A walk through the new menu"
    assert targets[yt.pk].options == {"title": "Spring menu tour", "privacy": "unlisted"}
    # TikTok's interactions stay off unless turned on (content-sharing guidelines).
    assert (targets[tt.pk].caption, targets[tt.pk].options) == (
        "",
        {**TT_OFF, "privacy_level": "SELF_ONLY"},
    )
    assert list(post.attachments.values_list("media_id", "position")) == [
        (second.pk, 0),
        (first.pk, 1),
    ]


def test_unknown_privacy_values_are_not_stored(client, workspace, editor, accts, new_url):
    yt, tt = accts["youtube"], accts["tiktok"]
    client.force_login(editor)
    client.post(
        new_url,
        {
            "text": "Clip",
            "accounts": [yt.pk, tt.pk],
            f"title_{yt.pk}": "  Clip title  ",
            f"privacy_{yt.pk}": "everyone",
            f"privacy_{tt.pk}": "EVERYONE",
        },
    )

    targets = {t.account_id: t.options for t in Post.objects.get().targets.all()}
    assert targets[yt.pk] == {"title": "Clip title", "privacy": "public"}
    assert targets[tt.pk] == {**TT_OFF, "privacy_level": ""}


def test_the_edit_page_shows_what_was_saved(client, workspace, editor, accts, new_url, upload):
    clip = upload("video", name="clip.mp4")
    x, yt, tt = accts["x"], accts["youtube"], accts["tiktok"]
    client.force_login(editor)
    client.post(
        new_url,
        {
            "text": "Saved text",
            "accounts": [x.pk, yt.pk, tt.pk],
            "media": [clip.pk],
            f"caption_{x.pk}": "Saved X caption",
            f"title_{yt.pk}": "Saved title",
            f"privacy_{yt.pk}": "private",
            f"privacy_{tt.pk}": "FOLLOWER_OF_CREATOR",
            "scheduled_local": "2030-07-15T09:00",
        },
    )
    post = Post.objects.get()

    html = client.get(reverse("post_edit", args=[workspace.slug, post.pk])).content.decode()

    assert textarea(html, "text") == "Saved text"
    assert textarea(html, f"caption_{x.pk}") == "Saved X caption"
    assert checked_accounts(html) == {x.pk, yt.pk, tt.pk}
    assert f'name="media" value="{clip.pk}" checked' in html
    assert f'name="title_{yt.pk}" value="Saved title"' in html
    assert '<option value="private" selected>' in html
    assert '<option value="FOLLOWER_OF_CREATOR" selected>' in html
    assert 'value="2030-07-15T09:00"' in html  # shown in Europe/London, not UTC


# --- A refusal keeps everything --------------------------------------------------------------


@pytest.fixture
def refused_schedule(client, workspace, editor, accts, new_url):
    """An editor (approval off, so may schedule) picks Instagram without media and schedules."""
    ig, x, fb = accts["instagram"], accts["x"], accts["facebook"]
    client.force_login(editor)
    data = {
        "text": "Spring menu is here",
        "accounts": [ig.pk, x.pk],
        f"caption_{x.pk}": "Spring menu, now on X",
        "scheduled_local": "2030-04-10T09:00",
        "action": "schedule",
    }
    response = client.post(new_url, data)
    return response, data, (ig, x, fb)


def test_a_refused_schedule_keeps_everything_typed_and_says_why(refused_schedule):
    response, _, (ig, x, fb) = refused_schedule

    assert response.status_code == 400
    assert non_field_errors(response) == [
        "Saved as a draft, but not scheduled: "
        "Instagram: Acme Gram: Instagram needs at least one image or video."
    ]
    html = response.content.decode()
    assert "Saved as a draft, but not scheduled: Instagram: Acme Gram: Instagram needs" in html
    assert textarea(html, "text") == "Spring menu is here"
    assert textarea(html, f"caption_{x.pk}") == "Spring menu, now on X"
    assert checked_accounts(html) == {ig.pk, x.pk}
    assert fb.pk not in checked_accounts(html)
    assert 'value="2030-04-10T09:00"' in html


def test_a_refused_schedule_still_saves_the_draft(refused_schedule, editor):
    _, _, (ig, x, _) = refused_schedule

    post = Post.objects.get()
    assert (post.text, post.stage, post.author) == ("Spring menu is here", Post.Stage.DRAFT, editor)
    assert post.scheduled_at == utc(2030, 4, 10, 8, 0)  # BST
    targets = {t.account_id: t for t in post.targets.all()}
    assert set(targets) == {ig.pk, x.pk}
    assert targets[x.pk].caption == "Spring menu, now on X"
    assert all(t.state == S.DRAFT for t in targets.values())


def test_sending_the_corrected_form_again_updates_the_saved_draft_not_a_second_one(
    client, workspace, refused_schedule
):
    """After the refusal the person unticks Instagram and presses Schedule again: the page's
    form must go to the draft it says it saved."""
    response, data, (ig, x, _) = refused_schedule
    html = response.content.decode()
    form_tag = re.search(r'<form method="post"[^>]*id="composer"[^>]*>', html).group(0)
    action = re.search(r'\saction="([^"]*)"', form_tag)
    target_url = action.group(1) if action and action.group(1) else response.wsgi_request.path

    client.post(target_url, {**data, "accounts": [x.pk]})

    post = Post.objects.get()  # one post, not two
    assert post.stage == Post.Stage.SCHEDULED
    assert list(post.targets.values_list("account_id", "state")) == [(x.pk, S.SCHEDULED)]


# --- Times in the workspace's zone -----------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "stored"),
    [
        pytest.param("2030-01-15T09:00", utc(2030, 1, 15, 9, 0), id="winter-GMT"),
        pytest.param("2030-07-15T09:00", utc(2030, 7, 15, 8, 0), id="summer-BST"),
        pytest.param("2030-03-31T02:00", utc(2030, 3, 31, 1, 0), id="just-after-spring-gap"),
        pytest.param("2030-10-27T01:30", utc(2030, 10, 27, 0, 30), id="ambiguous-first-BST"),
    ],
)
def test_a_time_entered_in_the_workspace_zone_is_stored_in_utc(
    client, workspace, editor, accts, new_url, local, stored
):
    assert workspace.timezone == "Europe/London"
    client.force_login(editor)
    response = client.post(
        new_url, {"text": "Timed", "accounts": [accts["x"].pk], "scheduled_local": local}
    )

    assert response.status_code == 302
    assert Post.objects.get().scheduled_at == stored


SKIPPED_TIMES = ["2030-03-31T01:00", "2030-03-31T01:30", "2030-03-31T01:59"]


def post_skipped_time(client, editor, accts, new_url, local):
    client.force_login(editor)
    return client.post(
        new_url,
        {
            "text": "Timed",
            "accounts": [accts["x"].pk],
            "scheduled_local": local,
            "action": "schedule",
        },
    )


@pytest.mark.parametrize("local", SKIPPED_TIMES)
def test_a_time_the_clocks_skip_is_refused_and_nothing_is_saved(
    client, workspace, editor, accts, new_url, local
):
    response = post_skipped_time(client, editor, accts, new_url, local)

    assert response.status_code == 400
    errors = response.context["form"].errors["scheduled_local"]
    assert len(errors) == 1
    assert "Europe/London" in errors[0]
    assert textarea(response.content.decode(), "text") == "Timed"
    assert checked_accounts(response.content.decode()) == {accts["x"].pk}
    assert not Post.objects.exists()
    assert not PostTarget.objects.exists()


@pytest.mark.parametrize("local", SKIPPED_TIMES)
def test_the_refusal_of_a_time_the_clocks_skip_says_why(
    client, workspace, editor, accts, new_url, local
):
    response = post_skipped_time(client, editor, accts, new_url, local)

    wall = local.replace("T", " ")
    message = (
        f"{wall} does not exist in Europe/London: the clocks skip it (daylight saving time). "
        "Choose another time."
    )
    assert response.context["form"].errors["scheduled_local"] == [message]
    assert message in response.content.decode()


# --- The live check --------------------------------------------------------------------------


def test_the_live_check_shows_the_weighted_x_counter_and_the_problem(
    client, editor, accts, check_url
):
    client.force_login(editor)
    response = client.post(check_url, {"text": "a" * 281, "accounts": [accts["x"].pk]})

    assert response.status_code == 200
    html = response.content.decode()
    assert "281 / 280" in html
    assert "is-over" in html
    assert "X allows 280 characters (links count 23, emoji and CJK count 2): this is 281." in html


def test_the_live_check_counts_links_and_emoji_as_x_does(client, editor, accts, check_url):
    client.force_login(editor)
    text = "😀" * 100 + " https://example.com/" + "p" * 200
    response = client.post(check_url, {"text": text, "accounts": [accts["x"].pk]})

    html = response.content.decode()
    assert "224 / 280" in html  # 100 emoji × 2 + a space + a link of 23
    assert "Ready for X" in html


def test_the_live_check_gives_each_account_its_own_counter_and_problems(
    client, editor, accts, check_url
):
    x, ig, yt = accts["x"], accts["instagram"], accts["youtube"]
    client.force_login(editor)
    response = client.post(
        check_url,
        {
            "text": "Hello there",
            "accounts": [x.pk, ig.pk, yt.pk],
            f"caption_{x.pk}": "b" * 290,
            f"title_{yt.pk}": "Tour",
        },
    )

    assert response.status_code == 200
    previews = {p["account"].platform: p for p in response.context["previews"]}
    assert (previews["x"]["check"].used, previews["x"]["check"].limit) == (290, 280)
    assert previews["x"]["text"] == "b" * 290
    assert (previews["instagram"]["check"].used, previews["instagram"]["check"].limit) == (
        11,
        2200,
    )
    assert previews["instagram"]["check"].problems == [
        "Instagram needs at least one image or video."
    ]
    assert (previews["youtube"]["check"].used, previews["youtube"]["check"].limit) == (4, 100)
    html = response.content.decode()
    assert "290 / 280" in html
    assert "11 / 2200" in html
    assert "4 / 100" in html
    assert "Instagram needs at least one image or video." in html
    assert "YouTube needs exactly one video." in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_the_live_check_is_for_composers_only(
    client, workspace, make_member, accts, check_url, role
):
    client.force_login(make_member(workspace, role))
    assert client.post(check_url, {"text": "Hi", "accounts": [accts["x"].pk]}).status_code == 403


# --- Another workspace's accounts and media --------------------------------------------------


@pytest.fixture
def elsewhere(db):
    """An account and a library file in another workspace."""
    other = WorkspaceFactory(slug="elsewhere", timezone="UTC")
    other_owner = MembershipFactory(workspace=other, role=Role.OWNER)
    account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="x-theirs", display_name="Their X"
    )
    item = media.ingest(
        other, other_owner.user, SimpleUploadedFile("theirs.jpg", image_bytes(size=(30, 30)))
    )
    return account, item


def test_the_composer_refuses_another_workspaces_account(client, editor, accts, new_url, elsewhere):
    their_account, _ = elsewhere
    client.force_login(editor)
    response = client.post(
        new_url, {"text": "Sneaky", "accounts": [accts["x"].pk, their_account.pk]}
    )

    assert response.status_code == 400
    assert "accounts" in response.context["form"].errors
    assert not Post.objects.exists()


def test_the_composer_refuses_another_workspaces_media(client, editor, accts, new_url, elsewhere):
    _, their_media = elsewhere
    client.force_login(editor)
    response = client.post(
        new_url, {"text": "Sneaky", "accounts": [accts["x"].pk], "media": [their_media.pk]}
    )

    assert response.status_code == 400
    assert "media" in response.context["form"].errors
    assert not Post.objects.exists()
    assert not PostMedia.objects.exists()


def test_the_composer_service_refuses_another_workspaces_account(workspace, editor, elsewhere):
    their_account, _ = elsewhere
    data = composer.PostInput(
        text="Sneaky",
        media_ids=[],
        targets=[composer.TargetInput(their_account.pk)],
        scheduled_at=None,
    )
    with pytest.raises(UserFacingError, match="not connected to this workspace"):
        composer.save(workspace, editor, data)
    assert not Post.objects.exists()


@pytest.mark.parametrize("which", ["account", "media"])
def test_the_live_check_refuses_another_workspaces_account_or_media(
    client, editor, accts, check_url, elsewhere, which
):
    their_account, their_media = elsewhere
    data = {"text": "Sneaky", "accounts": [accts["x"].pk]}
    if which == "account":
        data["accounts"].append(their_account.pk)
    else:
        data["media"] = [their_media.pk]
    client.force_login(editor)

    response = client.post(check_url, data)

    assert response.status_code == 403
    assert b"Their X" not in response.content
    assert b"theirs.jpg" not in response.content


def test_another_workspaces_post_cannot_be_edited(client, editor, elsewhere):
    their_account, _ = elsewhere
    their_post = Post.objects.create(workspace=their_account.workspace, text="Theirs")
    client.force_login(editor)

    url = reverse("post_edit", args=["acme", their_post.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Mine now"}).status_code == 404
    their_post.refresh_from_db()
    assert their_post.text == "Theirs"


# --- Published posts are final ---------------------------------------------------------------


@pytest.mark.parametrize("state", [S.PUBLISHED, S.PUBLISHING, S.QUEUED])
def test_a_post_that_is_publishing_or_published_cannot_be_edited(
    client, workspace, editor, accts, state
):
    post = Post.objects.create(
        workspace=workspace, author=editor, text="Out there", stage=Post.Stage.SCHEDULED
    )
    PostTarget.objects.create(post=post, account=accts["x"], state=state)
    edit_url = reverse("post_edit", args=[workspace.slug, post.pk])
    detail_url = reverse("post_detail", args=[workspace.slug, post.pk])
    client.force_login(editor)

    shown = client.get(edit_url)
    sent = client.post(edit_url, {"text": "Changed", "accounts": [accts["x"].pk]})

    refusal = "This post is publishing or published and can no longer be edited."
    for response in (shown, sent):
        assert response.status_code == 302
        assert response["Location"] == detail_url
        assert refusal in [str(m) for m in get_messages(response.wsgi_request)]
    post.refresh_from_db()
    assert post.text == "Out there"
    assert post.targets.get().state == state


def test_the_composer_service_refuses_to_edit_a_published_post(workspace, editor, accts):
    post = Post.objects.create(workspace=workspace, text="Out there", stage=Post.Stage.PUBLISHED)
    PostTarget.objects.create(post=post, account=accts["x"], state=S.PUBLISHED)
    data = composer.PostInput(
        text="Changed",
        media_ids=[],
        targets=[composer.TargetInput(accts["x"].pk)],
        scheduled_at=None,
    )

    with pytest.raises(UserFacingError, match="can no longer be edited"):
        composer.save(workspace, editor, data, post)
    post.refresh_from_db()
    assert post.text == "Out there"


def test_editing_an_approved_post_and_submitting_it_says_it_went_back_to_review(
    client, workspace, editor, accts, new_url, make_member
):
    workspace.approval_required = True
    workspace.save()
    approver = make_member(workspace, Role.APPROVER)
    client.force_login(editor)
    fields = {"accounts": [accts["x"].pk], "scheduled_local": "2030-05-01T09:00"}
    client.post(new_url, {**fields, "text": "Spring menu", "action": "submit"})
    post = Post.objects.get()
    workflow.approve(post, approver.memberships.get())
    assert Post.objects.get().stage == Post.Stage.SCHEDULED

    edit_url = reverse("post_edit", args=[workspace.slug, post.pk])
    response = client.post(
        edit_url, {**fields, "text": "Spring menu, now vegan", "action": "submit"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "Sent for review."
    post.refresh_from_db()
    assert (post.stage, post.text) == (Post.Stage.IN_REVIEW, "Spring menu, now vegan")
    assert post.approved_by is None
