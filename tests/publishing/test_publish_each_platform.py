"""The publisher against the emulator, one platform at a time: the post lands once, the
target records the platform's id and permalink, and the media copies go afterwards."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from publishing import publisher
from publishing.models import Post, PostTarget

S = PostTarget.State


def posts_on(emulator, platform: str) -> list[dict]:
    return emulator.control("GET", f"posts?platform={platform}")


def run_due() -> list[str]:
    """Dispatch, then run the queued tasks' work inline (the worker tests cover Celery)."""
    publisher.dispatch_due()
    return [publisher.publish_one(t.pk) for t in PostTarget.objects.filter(state=S.QUEUED)]


@pytest.mark.parametrize(
    ("platform", "kind", "options"),
    [
        ("facebook", "image", {}),
        ("facebook", None, {}),
        ("instagram", "image", {}),
        ("x", "image", {}),
        ("x", None, {}),
        ("tiktok", "video", {"privacy_level": "SELF_ONLY"}),
        ("youtube", "video", {"title": "Launch day", "privacy": "public"}),
    ],
)
def test_a_due_post_is_published_once_with_its_permalink(
    accounts,
    emulator,
    upload,
    scheduled_post,
    platform,
    kind,
    options,
    celery_queue,
    django_capture_on_commit_callbacks,
):
    account = accounts[platform]
    items = [upload(kind)] if kind else []
    post = scheduled_post(
        [account], f"Hello from Mixora on {platform}", items, {account.pk: options}
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert run_due() == ["published"]

    target = post.targets.get()
    assert target.state == S.PUBLISHED
    assert target.platform_post_id
    assert target.permalink.startswith("https://")
    assert target.outcome_unknown is False
    network = {"facebook": "meta", "instagram": "meta", "youtube": "google"}.get(platform, platform)
    landed = [p for p in posts_on(emulator, network) if p["account_id"] == account.external_id]
    assert len(landed) == 1
    assert post.text in landed[0]["text"] or options.get("title") == landed[0]["text"]
    post.refresh_from_db()
    assert post.stage == Post.Stage.PUBLISHED
    for attachment in post.attachments.all():  # payload copies deleted, library file kept
        assert attachment.payload.name == ""
        assert default_storage.exists(attachment.media.file.name)


def test_one_post_goes_to_every_account(accounts, emulator, upload, scheduled_post, celery_queue):
    image = upload("image")
    chosen = [accounts["facebook"], accounts["instagram"], accounts["x"]]
    post = scheduled_post(chosen, "One post, three networks", [image])

    assert sorted(run_due()) == ["published"] * 3

    assert set(post.targets.values_list("state", flat=True)) == {S.PUBLISHED}
    assert len(posts_on(emulator, "x")) == 1
    assert len(posts_on(emulator, "meta")) == 2
