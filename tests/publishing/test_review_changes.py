"""A resubmitted post shows its approver what changed since the last submission: each
account's caption word by word, its options old → new, media added and removed. Every
submission keeps a snapshot of what the review box showed; the snapshots go with the post
(and with a purged workspace)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.deletion import purge_workspace
from accounts.models import Membership
from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing import composer, workflow
from publishing.models import Post, ReviewSubmission
from publishing.review import content_version
from publishing.review_diff import AccountRef, OptionChange, compare, word_diff
from tests.factories import UserFactory

# --- the word diff ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Our autumn menu is here",
            "Our autumn menu is here, now 50% off",
            [("same", "Our autumn menu is here"), ("added", ", now 50% off")],
        ),
        (
            "The quick brown fox",
            "The slow red fox jumps",
            # Neighbouring changed words make one run, not an alternation word by word.
            [
                ("same", "The "),
                ("removed", "quick brown"),
                ("added", "slow red"),
                ("same", " fox "),
                ("added", "jumps"),
            ],
        ),
        (
            "Oat milk is back",
            "Oat milk back",
            [("same", "Oat milk "), ("removed", "is "), ("same", "back")],
        ),
        ("", "All new", [("added", "All new")]),
        ("All gone", "", [("removed", "All gone")]),
        ("Same text", "Same text", [("same", "Same text")]),
    ],
)
def test_captions_are_compared_word_by_word(old, new, expected):
    assert word_diff(old, new) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Launch #day at 9am", "Launch #days at 10am!"),
        ("line one\nline two", "line one\n\nline two, now longer"),
        ("a b c d e", "e d c b a"),
        ("Café crème", "Café crème brûlée 🍮"),
    ],
)
def test_unchanged_and_added_runs_are_exactly_the_new_caption(old, new):
    segments = word_diff(old, new)
    assert "".join(text for kind, text in segments if kind != "removed") == new
    # Only words are marked: a changed run never starts or ends with a space.
    assert all(text == text.strip() for kind, text in segments if kind != "same")


def account(pk: int, text: str, options=(), name: str = "Acme", platform: str = "x") -> dict:
    return {
        "account": pk,
        "name": name,
        "network": platform.upper(),
        "platform": platform,
        "text": text,
        "own_caption": False,
        "options": [list(o) for o in options],
    }


def snap(accounts, media=(), scheduled_at="2026-12-10T09:00:00+00:00") -> dict:
    return {
        "scheduled_at": scheduled_at,
        "accounts": list(accounts),
        "media": [{"id": i, "name": n} for i, n in media],
    }


def test_the_same_snapshot_has_no_changes():
    same = snap([account(1, "Hello", [("Title", "Hi")])], media=[(5, "latte.jpg")])
    changes = compare(same, same)
    assert not changes.any
    assert changes.captions == []
    assert changes.options == []


def test_a_shared_text_change_shows_once_for_every_account_it_reaches():
    old = snap([account(1, "Hello"), account(2, "Hello", platform="facebook"), account(3, "Own")])
    new = snap(
        [account(1, "Hello all"), account(2, "Hello all", platform="facebook"), account(3, "Own")]
    )

    [caption] = compare(old, new).captions

    assert [a.platform for a in caption.accounts] == ["x", "facebook"]
    assert caption.segments == (("same", "Hello "), ("added", "all"))
    assert not caption.spacing_only


def test_options_show_old_and_new_values_including_set_and_unset_ones():
    old = snap(
        [account(1, "Hi", [("Title", "Launch"), ("Visibility", "Public"), ("Made for kids", "No")])]
    )
    new = snap(
        [account(1, "Hi", [("Title", "Launch day"), ("Visibility", "Public"), ("Tags", "menu")])]
    )

    changes = compare(old, new)

    assert changes.captions == []
    [change] = changes.options
    assert change.account.name == "Acme"
    assert change.options == (
        OptionChange("Title", "Launch", "Launch day"),
        OptionChange("Tags", None, "menu"),
        OptionChange("Made for kids", "No", None),
    )


def test_media_accounts_and_time_changes_are_listed():
    old = snap(
        [
            account(1, "Hi", name="Acme on X"),
            account(2, "Hi", name="Acme Page", platform="facebook"),
        ],
        media=[(1, "latte.jpg"), (2, "menu.png")],
    )
    new = snap(
        [account(1, "Hi", name="Acme on X"), account(3, "Hi", name="Acme TV", platform="youtube")],
        media=[(2, "menu.png"), (3, "teaser.mp4")],
        scheduled_at="2026-12-11T10:30:00+00:00",
    )

    changes = compare(old, new)

    assert changes.media_added == ["teaser.mp4"]
    assert changes.media_removed == ["latte.jpg"]
    assert not changes.media_reordered
    assert changes.accounts_added == [AccountRef("Acme TV", "YOUTUBE", "youtube")]
    assert changes.accounts_removed == [AccountRef("Acme Page", "FACEBOOK", "facebook")]
    assert changes.scheduled == (
        datetime(2026, 12, 10, 9, tzinfo=UTC),
        datetime(2026, 12, 11, 10, 30, tzinfo=UTC),
    )
    assert changes.captions == []
    assert changes.options == []
    assert changes.any


def test_a_new_order_of_the_same_media_is_a_change():
    old = snap([account(1, "Hi")], media=[(1, "a.jpg"), (2, "b.jpg")])
    new = snap([account(1, "Hi")], media=[(2, "b.jpg"), (1, "a.jpg")])
    changes = compare(old, new)
    assert changes.media_reordered
    assert not changes.media_added
    assert changes.any


def test_a_time_moved_by_seconds_only_is_not_a_change():
    # Times are chosen and shown to the minute.
    old = snap([account(1, "Hi")], scheduled_at="2026-12-10T09:00:00+00:00")
    new = snap([account(1, "Hi")], scheduled_at="2026-12-10T09:00:41.5+00:00")
    assert compare(old, new).scheduled is None


def test_only_spacing_changed_is_said_so():
    [caption] = compare(snap([account(1, "One two")]), snap([account(1, "One\ntwo")])).captions
    assert caption.spacing_only


# --- submissions, the review page ------------------------------------------------------


@pytest.fixture
def team(workspace, owner, make_member):
    workspace.approval_required = True
    workspace.save(update_fields=["approval_required"])
    return {
        "editor": make_member(workspace, Role.EDITOR, full_name="Eddie Editor"),
        "approver": make_member(workspace, Role.APPROVER, full_name="Abe Approver"),
    }


@pytest.fixture
def channels(workspace):
    return {
        "x": ConnectedAccount.objects.create(
            workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
        ),
        "youtube": ConnectedAccount.objects.create(
            workspace=workspace, platform="youtube", external_id="yt-1", display_name="Acme TV"
        ),
    }


@pytest.fixture
def when():
    return (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)


def membership(workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def page(client, user, post: Post) -> str:
    client.force_login(user)
    response = client.get(reverse("post_detail", args=[post.workspace.slug, post.pk]))
    assert response.status_code == 200
    return response.content.decode()


def content(channels, text, media, when, title="Autumn menu", privacy="public"):
    return composer.PostInput(
        text=text,
        media_ids=[m.pk for m in media],
        targets=[
            composer.TargetInput(channels["x"].pk),
            composer.TargetInput(channels["youtube"].pk, "", {"title": title, "privacy": privacy}),
        ],
        scheduled_at=when,
    )


@pytest.fixture
def clip(upload):
    return upload("video", name="clip.mp4")


@pytest.fixture
def submitted(client, workspace, team, channels, clip, when):
    """A post the editor wrote and submitted through the page."""
    post, _ = composer.save(
        workspace, team["editor"], content(channels, "Our autumn menu is here", [clip], when)
    )
    client.force_login(team["editor"])
    client.post(reverse("post_submit", args=[workspace.slug, post.pk]))
    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW
    return post


def send_back(client, team, post: Post) -> None:
    client.force_login(team["approver"])
    client.post(
        reverse("post_reject", args=[post.workspace.slug, post.pk]),
        {"comment": "Mention the discount", "version": content_version(post)},
    )
    post.refresh_from_db()
    assert post.stage == Post.Stage.CHANGES_REQUESTED


def resubmit(client, team, post: Post) -> None:
    client.force_login(team["editor"])
    client.post(reverse("post_submit", args=[post.workspace.slug, post.pk]))
    post.refresh_from_db()
    assert post.stage == Post.Stage.IN_REVIEW


def test_a_submission_keeps_what_the_review_box_shows(submitted, team, clip, when):
    [kept] = ReviewSubmission.objects.filter(post=submitted)

    assert kept.submitted_by == team["editor"]
    assert kept.content_version == content_version(submitted)
    assert kept.snapshot["media"] == [{"id": clip.pk, "name": "clip.mp4"}]
    assert kept.snapshot["scheduled_at"] == when.isoformat()
    by_name = {a["name"]: a for a in kept.snapshot["accounts"]}
    assert by_name["Acme on X"]["text"] == "Our autumn menu is here"
    assert by_name["Acme TV"]["options"] == [["Title", "Autumn menu"], ["Visibility", "Public"]]


def test_a_first_submission_shows_no_changes(client, team, submitted):
    html = page(client, team["approver"], submitted)
    assert 'id="receives"' in html
    assert "review-changes" not in html


def test_a_resubmission_shows_what_changed_since_the_last_one(
    client, workspace, team, channels, submitted, upload, when
):
    send_back(client, team, submitted)
    teaser = upload("video", name="teaser.mp4")
    later = when + timedelta(days=1)
    composer.save(
        workspace,
        team["editor"],
        content(
            channels,
            "Our autumn menu is here, now 50% off",
            [teaser],
            later,
            title="Autumn menu 2026",
            privacy="unlisted",
        ),
        submitted,
    )
    resubmit(client, team, submitted)

    html = page(client, team["approver"], submitted)

    assert "What changed since the last submission" in html
    assert "Compared with the version Eddie Editor submitted" in html
    # The caption, word by word, once for both accounts it reaches.
    caption = html[html.index("Caption ·") : html.index("Options ·")]
    assert "Acme on X" in caption
    assert "Acme TV" in caption
    assert 'here<ins><span class="sr-only">[added: </span>, now 50% off' in caption
    # YouTube's title and visibility, old → new, in its own words.
    assert '<dt>Title</dt><dd><span class="sr-only">was </span><del>Autumn menu</del>' in html
    assert "<ins>Autumn menu 2026</ins>" in html
    assert "<del>Public</del>" in html
    assert "<ins>Unlisted</ins>" in html
    # The media swapped and the time moved.
    assert "+ </span>teaser.mp4</ins>" in html
    assert "− </span>clip.mp4</del>" in html
    assert "Publishing time" in html
    assert ReviewSubmission.objects.filter(post=submitted).count() == 2


def test_a_resubmission_without_edits_says_nothing_changed(client, team, submitted):
    send_back(client, team, submitted)
    resubmit(client, team, submitted)

    html = page(client, team["approver"], submitted)

    assert "Nothing changed since the last submission" in html
    assert "<ins>" not in html
    assert "<del>" not in html


def test_an_edit_while_in_review_shows_against_the_submission(
    client, workspace, team, channels, submitted, clip, when
):
    composer.save(
        workspace,
        team["editor"],
        content(channels, "Our winter menu is here", [clip], when),
        submitted,
    )
    workflow.after_edit(submitted, membership(workspace, team["editor"]))
    submitted.refresh_from_db()
    assert submitted.stage == Post.Stage.IN_REVIEW

    html = page(client, team["approver"], submitted)

    assert '<del><span class="sr-only">[removed: </span>autumn<span' in html
    assert '<ins><span class="sr-only">[added: </span>winter<span' in html


def test_only_approvers_see_the_changes_and_outsiders_get_404(
    client, workspace, team, submitted, make_member
):
    send_back(client, team, submitted)
    submitted.text = "Our autumn menu is here, now 50% off"
    submitted.save(update_fields=["text"])
    resubmit(client, team, submitted)
    viewer = make_member(workspace, Role.VIEWER, full_name="Vera Viewer")

    assert "review-changes" in page(client, team["approver"], submitted)
    assert "review-changes" not in page(client, team["editor"], submitted)
    assert "review-changes" not in page(client, viewer, submitted)
    client.force_login(UserFactory())
    url = reverse("post_detail", args=[workspace.slug, submitted.pk])
    assert client.get(url).status_code == 404


def test_snapshots_go_with_a_purged_workspace(submitted, workspace):
    assert ReviewSubmission.objects.filter(post__workspace=workspace).exists()

    purge_workspace(workspace)

    assert not ReviewSubmission.objects.filter(post_id=submitted.pk).exists()
