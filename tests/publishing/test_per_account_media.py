"""Per-account media: one post carries a shared set and, for the accounts that want it, their
own set instead. Every reader of one account's media (checks, payload copies, the publisher,
the review, analytics, the export) sees that account's set; each network gets its own files."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from insights.enrolment import enrol_published
from insights.models import PostInsight
from mixora.errors import UserFacingError
from publishing import composer, publisher, review, workflow
from publishing.models import Post, PostMedia, PostTarget
from publishing.personal_data import _post as exported_post
from publishing.review_diff import compare
from tests.factories import WorkspaceFactory
from tests.publishing_fixtures import make_due

S = PostTarget.State
TT = {"privacy_level": "SELF_ONLY"}
YT = {"title": "Launch day", "privacy": "public"}


def run_due() -> list[str]:
    publisher.dispatch_due()
    return [publisher.publish_one(t.pk) for t in PostTarget.objects.filter(state=S.QUEUED)]


def save(workspace, owner, text, shared, targets, post=None, when=None):
    """targets: [(account, own media or None, options)]."""
    data = composer.PostInput(
        text=text,
        media_ids=[m.pk for m in shared],
        targets=[
            composer.TargetInput(a.pk, "", options, None if own is None else [m.pk for m in own])
            for a, own, options in targets
        ],
        scheduled_at=when,
    )
    return composer.save(workspace, owner.user, data, post)


# --- Saving and checking ---------------------------------------------------------------------


def test_each_account_is_checked_against_the_media_it_receives(workspace, owner, accounts, upload):
    image, video = upload("image"), upload("video")
    x, yt, tt = accounts["x"], accounts["youtube"], accounts["tiktok"]
    data = composer.PostInput(
        text="Launch",
        media_ids=[image.pk],
        targets=[
            composer.TargetInput(x.pk),
            composer.TargetInput(yt.pk, "", YT, [video.pk]),
            composer.TargetInput(tt.pk, "", TT),  # on the shared image: TikTok refuses it
        ],
        scheduled_at=None,
    )

    verdicts = {a.platform: c for a, c in composer.check_post(workspace, data)}

    assert verdicts["x"].ok
    assert verdicts["youtube"].ok
    assert not verdicts["tiktok"].ok
    post, _ = composer.save(workspace, owner.user, data)
    problems = workflow.problems_of(post)
    assert problems
    assert all(p.startswith(str(tt)) for p in problems)


def test_own_media_are_stored_apart_from_the_shared_set_and_read_through_the_target(
    workspace, owner, accounts, upload
):
    image, video, other = upload("image"), upload("video"), upload("image", name="b.jpg")
    x, yt, ig = accounts["x"], accounts["youtube"], accounts["instagram"]

    post, _ = save(
        workspace, owner, "Hi", [image, other], [(x, None, {}), (yt, [video], YT), (ig, [], {})]
    )

    targets = {t.account.platform: t for t in post.targets.select_related("account")}
    assert [a.media for a in targets["x"].attachments] == [image, other]
    assert [a.media for a in targets["youtube"].attachments] == [video]
    assert list(targets["instagram"].attachments) == []  # own set, chosen empty: no media
    assert targets["instagram"].own_media is True
    assert post.attachments.filter(account=None).count() == 2


def test_switching_back_to_the_shared_media_or_dropping_the_account_removes_its_own_set(
    workspace, owner, accounts, upload
):
    image, video = upload("image"), upload("video")
    x, yt, tt = accounts["x"], accounts["youtube"], accounts["tiktok"]
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [video], YT)])
    assert post.attachments.exclude(account=None).count() == 1

    post, changed = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, None, YT)], post)
    assert changed
    assert post.attachments.exclude(account=None).count() == 0
    assert not post.targets.get(account=yt).own_media

    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (tt, [video], TT)], post)
    post, changed = save(workspace, owner, "Hi", [image], [(x, None, {})], post)
    assert changed
    assert list(post.attachments.values_list("account_id", "media_id")) == [(None, image.pk)]


def test_a_file_from_another_workspace_is_refused_and_nothing_changes(
    workspace, owner, accounts, upload
):
    image = upload("image")
    x = accounts["x"]
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {})])
    elsewhere = WorkspaceFactory(slug="elsewhere")
    foreign = PostMedia.media.field.related_model.objects.create(
        workspace=elsewhere, kind="image", content_type="image/jpeg", name="f.jpg", size=1
    )

    with pytest.raises(UserFacingError, match="not in this workspace's library"):
        save(workspace, owner, "Changed", [image], [(x, [foreign], {})], post)

    post.refresh_from_db()
    assert post.text == "Hi"
    assert not post.targets.get().own_media
    assert post.attachments.count() == 1


# --- Publishing end to end --------------------------------------------------------------------


def test_each_network_receives_its_own_media_through_the_real_publish_path(
    workspace,
    owner,
    accounts,
    upload,
    emulator,
    celery_queue,
    django_capture_on_commit_callbacks,
):
    image, video = upload("image", name="menu.jpg"), upload("video", name="tour.mp4")
    x, yt, ig = accounts["x"], accounts["youtube"], accounts["instagram"]
    post, _ = save(
        workspace,
        owner,
        "Spring menu",
        [image],
        [(x, None, {}), (ig, None, {}), (yt, [video], YT)],
        when=timezone.now() + timedelta(hours=1),
    )
    workflow.schedule(post, owner)
    copies = list(post.attachments.exclude(payload="").values_list("account_id", "payload"))
    assert sorted(a or 0 for a, _ in copies) == sorted([0, yt.pk])  # one copy per used set
    make_due(post, timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(run_due()) == ["published"] * 3

    def landed(platform: str, account) -> dict:
        [found] = [
            p
            for p in emulator.control("GET", f"posts?platform={platform}")
            if p["account_id"] == account.external_id
        ]
        return found

    on_x, on_yt, on_ig = landed("x", x), landed("google", yt), landed("meta", ig)
    assert [m["content_type"] for m in on_x["media"]] == ["image/jpeg"]
    assert [m["content_type"] for m in on_ig["media"]] == ["image/jpeg"]
    assert [m["content_type"] for m in on_yt["media"]] == ["video/mp4"]
    assert on_yt["media"][0]["size"] == video.size
    assert on_x["media"][0]["size"] == image.size
    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED
    for _, name in copies:  # every copy, the own set's too, is deleted once out
        assert not default_storage.exists(name)
    assert post.attachments.exclude(payload="").count() == 0

    enrol_published()
    formats = dict(PostInsight.objects.values_list("account__platform", "format"))
    assert formats == {
        "x": PostInsight.Format.IMAGE,
        "instagram": PostInsight.Format.IMAGE,
        "youtube": PostInsight.Format.VIDEO,
    }


def test_disconnecting_an_account_deletes_the_copies_of_its_own_media(
    workspace, owner, accounts, upload, django_capture_on_commit_callbacks
):
    image, video = upload("image"), upload("video")
    x, yt = accounts["x"], accounts["youtube"]
    post, _ = save(
        workspace,
        owner,
        "Hi",
        [image],
        [(x, None, {}), (yt, [video], YT)],
        when=timezone.now() + timedelta(hours=1),
    )
    workflow.schedule(post, owner)
    own_copy = post.attachments.get(account=yt).payload.name
    shared_copy = post.attachments.get(account=None).payload.name
    assert default_storage.exists(own_copy)

    with django_capture_on_commit_callbacks(execute=True):
        yt.delete()

    assert not default_storage.exists(own_copy)
    assert default_storage.exists(shared_copy)  # X still publishes it
    assert list(post.attachments.values_list("account_id", flat=True)) == [None]


# --- Review, export ---------------------------------------------------------------------------


def test_the_review_covers_each_accounts_media_and_shows_what_changed(
    workspace, owner, accounts, upload
):
    image, video, longer = (
        upload("image"),
        upload("video", name="a.mp4"),
        upload("video", name="b.mp4"),
    )
    x, yt = accounts["x"], accounts["youtube"]
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [video], YT)])
    targets = list(post.targets.select_related("account").order_by("account__platform"))
    receives = {r.account.platform: r for r in review.what_each_account_receives(post, targets)}
    assert receives["x"].media == [image]
    assert not receives["x"].own_media
    assert receives["youtube"].media == [video]
    assert receives["youtube"].own_media
    before_version = review.content_version(post)
    before = review.snapshot(post, list(receives.values()))

    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [longer], YT)], post)

    assert review.content_version(post) != before_version
    after = review.snapshot(post, review.what_each_account_receives(post, targets).accounts)
    changes = compare(before, after)
    assert changes.any
    assert not changes.media_added  # the shared set is the same
    assert not changes.media_removed
    [change] = changes.account_media
    assert (change.account.platform, change.added, change.removed, change.own) == (
        "youtube",
        ["b.mp4"],
        ["a.mp4"],
        True,
    )


def test_an_older_snapshot_without_account_media_compares_as_the_shared_set():
    old = {
        "scheduled_at": None,
        "accounts": [
            {"account": 1, "name": "TV", "network": "YouTube", "platform": "youtube",
             "text": "Hi", "own_caption": False, "options": []},
        ],
        "media": [{"id": 5, "name": "photo.jpg"}],
    }  # fmt: skip
    new = {
        **old,
        "accounts": [
            {**old["accounts"][0], "own_media": True, "media": [{"id": 6, "name": "tour.mp4"}]}
        ],
    }

    [change] = compare(old, new).account_media
    assert (change.added, change.removed) == (["tour.mp4"], ["photo.jpg"])


def test_the_export_lists_each_accounts_own_media(workspace, owner, accounts, upload):
    image, video = upload("image"), upload("video")
    x, yt = accounts["x"], accounts["youtube"]
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [video], YT)])

    exported = exported_post(Post.objects.get(pk=post.pk))

    assert exported["media_ids"] == [image.pk]
    own = {a["platform"]: a["own_media_ids"] for a in exported["accounts"]}
    assert own == {"x": None, "youtube": [video.pk]}


# --- The composer page -------------------------------------------------------------------------


@pytest.fixture
def editor(workspace, make_member):
    return make_member(workspace, Role.EDITOR)


def test_the_composer_saves_own_media_ticked_per_account_and_shows_them_again(
    client, workspace, editor, accounts, upload
):
    image, video = upload("image"), upload("video")
    x, yt = accounts["x"], accounts["youtube"]
    client.force_login(editor)
    response = client.post(
        reverse("post_new", args=[workspace.slug]),
        {
            "text": "Launch",
            "accounts": [x.pk, yt.pk],
            "media": [image.pk],
            f"own_media_{yt.pk}": "1",
            f"media_{yt.pk}": [video.pk],
            f"media_{x.pk}": [video.pk],  # not ticked for X: ignored
            f"title_{yt.pk}": "Launch day",
            f"privacy_{yt.pk}": "public",
            "action": "save",
        },
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert [a.media for a in post.targets.get(account=x).attachments] == [image]
    assert [a.media for a in post.targets.get(account=yt).attachments] == [video]
    html = client.get(reverse("post_edit", args=[workspace.slug, post.pk])).content.decode()
    assert f'name="own_media_{yt.pk}" value="1" checked' in html
    assert f'name="own_media_{x.pk}" value="1">' in html
    assert re.search(rf'name="media_{yt.pk}" value="{video.pk}" checked', html)
    assert not re.search(rf'name="media_{x.pk}" value="\d+" checked', html)


def test_the_live_check_previews_each_network_with_its_own_text_and_media(
    client, workspace, editor, accounts, upload
):
    image, video = upload("image", name="menu.jpg"), upload("video", name="tour.mp4")
    x, yt, ig = accounts["x"], accounts["youtube"], accounts["instagram"]
    client.force_login(editor)
    long = "Spring is here. " * 12
    response = client.post(
        reverse("post_check", args=[workspace.slug]),
        {
            "text": long,
            "accounts": [x.pk, yt.pk, ig.pk],
            "media": [image.pk],
            f"caption_{x.pk}": "Short for X",
            f"own_media_{yt.pk}": "1",
            f"media_{yt.pk}": [video.pk],
            f"title_{yt.pk}": "Spring tour",
        },
    )

    assert response.status_code == 200
    previews = {p["account"].platform: p for p in response.context["previews"]}
    assert previews["x"]["media"] == [image]
    assert previews["x"]["text"] == "Short for X"
    assert previews["youtube"]["media"] == [video]
    assert previews["youtube"]["check"].ok
    assert previews["instagram"]["folded"]
    assert len(previews["instagram"]["shown"]) <= 125
    html = response.content.decode()
    for kind in ("x", "youtube", "instagram"):
        assert f'class="pv pv--{kind}"' in html
    assert "Spring tour" in html  # the YouTube title under its 16:9 frame
    assert "… more" in html  # Instagram folds the long caption
    assert 'aria-label="Video: tour.mp4"' in html


def test_the_post_page_shows_each_accounts_own_media(
    client, workspace, owner, editor, accounts, upload
):
    image, video = upload("image"), upload("video", name="tour.mp4")
    x, yt = accounts["x"], accounts["youtube"]
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [video], YT)])
    client.force_login(editor)

    html = client.get(reverse("post_detail", args=[workspace.slug, post.pk])).content.decode()

    assert "own media" in html
    assert f'aria-label="Media for {yt.display_name}"' in html
    assert "Video: tour.mp4" in html


def test_the_approver_sees_each_accounts_media_and_what_changed_in_them(
    client, workspace, owner, make_member, accounts, upload
):
    image = upload("image", name="menu.jpg")
    video, longer = upload("video", name="a.mp4"), upload("video", name="b.mp4")
    x, yt = accounts["x"], accounts["youtube"]
    when = timezone.now() + timedelta(days=1)
    post, _ = save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [video], YT)], when=when)
    workflow.submit(post, owner)
    save(workspace, owner, "Hi", [image], [(x, None, {}), (yt, [longer], YT)], post, when)
    client.force_login(make_member(workspace, Role.APPROVER))

    html = client.get(reverse("post_detail", args=[workspace.slug, post.pk])).content.decode()

    receives = html[html.index('id="receives"') :]
    assert 'aria-label="Media Demo Co TV receives"' in receives
    assert 'aria-label="Video: b.mp4"' in receives
    assert "1 media file, this account's own." in receives
    changes = html[html.index('id="review-changes"') : html.index('id="receives"')]
    assert "Own media for this account" in changes
    assert re.search(r"<ins[^>]*>.*?b\.mp4</ins>", changes)
    assert re.search(r"<del[^>]*>.*?a\.mp4</del>", changes)
