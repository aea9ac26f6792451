"""Publishing to a LinkedIn organisation page through the publisher: text (reserved characters
escaped, hashtags kept), one image, several images, and never twice after a timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.platforms.network import MediaFacts
from connections.platforms.registry import network
from publishing import publisher
from publishing.models import PostTarget

S = PostTarget.State
pytestmark = pytest.mark.django_db


def attempt(target: PostTarget) -> str:
    PostTarget.objects.filter(pk=target.pk, state=S.SCHEDULED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    publisher.dispatch_due()
    return publisher.publish_one(target.pk)


def landed(emulator, account) -> list[dict]:
    posts = emulator.control("GET", "posts?platform=linkedin")
    return [p for p in posts if p["account_id"] == account.external_id]


def test_a_text_post_is_escaped_for_little_text_and_reads_as_written(
    page, emulator, scheduled_post, celery_queue
):
    text = "Big news (really) for #launch day: 50% off *everything* @ our shop"
    target = scheduled_post([page], text).targets.get()

    assert attempt(target) == "published"

    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert target.platform_post_id.startswith("urn:li:share:")
    assert target.permalink == (f"https://www.linkedin.com/feed/update/{target.platform_post_id}/")
    (post,) = landed(emulator, page)
    assert post["text"] == text  # what members see
    assert post["details"]["commentary"] == (
        r"Big news \(really\) for {hashtag|\#|launch} day: 50% off \*everything\* \@ our shop"
    )


@pytest.mark.parametrize(("count", "kind"), [(1, "IMAGE"), (3, "MULTI_IMAGE")])
def test_images_are_uploaded_and_waited_for_before_the_post(
    page, emulator, upload, scheduled_post, celery_queue, count, kind
):
    images = [upload("image") for _ in range(count)]
    target = scheduled_post([page], "Our new office", images).targets.get()

    assert attempt(target) == "published"

    (post,) = landed(emulator, page)
    assert (post["kind"], post["media_count"]) == (kind, count)
    statuses = emulator.requests("linkedin", "linkedin.image")
    assert statuses, "the publisher asked whether each image was AVAILABLE"
    uploads = emulator.requests("linkedin", "linkedin.image_upload")
    assert len(uploads) == count
    assert all(u["headers"]["authorization"].startswith("Bearer ") for u in uploads)


def test_a_video_is_uploaded_in_parts_and_finalised_before_the_post(
    page, emulator, upload, scheduled_post, celery_queue
):
    clip = upload("video", padding=5 * 1024 * 1024)  # two 4 MiB parts
    target = scheduled_post([page], "Behind the scenes", [clip]).targets.get()

    assert attempt(target) == "published"

    (post,) = landed(emulator, page)
    assert (post["kind"], post["media_count"]) == ("VIDEO", 1)
    assert post["media"][0]["size"] == clip.size
    parts = emulator.requests("linkedin", "linkedin.video_part")
    assert len(parts) == 2
    assert all("authorization" not in p["headers"] for p in parts)
    (finalize,) = [
        r
        for r in emulator.requests("linkedin", "linkedin.videos_action")
        if r["query"].get("action") == "finalizeUpload"
    ]
    assert len(finalize["json"]["finalizeUploadRequest"]["uploadedPartIds"]) == 2


def test_a_timeout_after_linkedin_accepted_never_publishes_twice(
    page, emulator, upload, scheduled_post, settings, celery_queue
):
    target = scheduled_post([page], "Never twice", [upload("image")]).targets.get()
    settings.PLATFORM_HTTP_TIMEOUT = (2, 1)
    emulator.fail_next("linkedin", "linkedin.posts_create", "accept_then_timeout", delay=2)

    assert attempt(target) == "retrying"
    target.refresh_from_db()
    assert (target.state, target.outcome_unknown) == (S.SCHEDULED, True)
    assert len(landed(emulator, page)) == 1

    assert attempt(target) in ("reconciled", "published")
    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert len(landed(emulator, page)) == 1
    assert target.platform_post_id == landed(emulator, page)[0]["id"]
    # The image uploaded before the timeout was not uploaded again.
    assert len(emulator.requests("linkedin", "linkedin.image_upload")) == 1


def test_a_timeout_on_a_text_post_is_found_by_its_escaped_text(
    page, emulator, scheduled_post, settings, celery_queue
):
    target = scheduled_post([page], "Hello (again) #team").targets.get()
    settings.PLATFORM_HTTP_TIMEOUT = (2, 1)
    emulator.fail_next("linkedin", "linkedin.posts_create", "accept_then_timeout", delay=2)

    assert attempt(target) == "retrying"
    assert attempt(target) in ("reconciled", "published")

    target.refresh_from_db()
    assert target.state == S.PUBLISHED
    assert len(landed(emulator, page)) == 1


def image(content_type: str = "image/jpeg") -> MediaFacts:
    return MediaFacts("image", content_type, 1000)


def video(size: int = 100_000, duration: float = 5.0) -> MediaFacts:
    return MediaFacts("video", "video/mp4", size, duration)


@pytest.mark.parametrize(
    ("text", "media", "problem"),
    [
        ("", [], "needs text, images or a video"),
        ("x" * 2999 + "(", [], "3,000 characters"),
        ("Hi", [image() for _ in range(21)], "at most 20 images"),
        ("Hi", [image("image/webp")], "JPG, PNG or GIF"),
        ("Hi", [video(), image()], "one video on its own"),
        ("Hi", [video(size=1000)], "75 KB to 500 MB"),
        ("Hi", [video(duration=2.0)], "3 seconds to 30 minutes"),
        ("Hi", [MediaFacts("video", "video/quicktime", 100_000, 5.0)], "must be MP4"),
    ],
)
def test_the_composer_refuses_what_linkedin_would(text, media, problem):
    check = network("linkedin").check(text, media, {})
    assert any(problem in p for p in check.problems), check.problems


def test_the_composer_counts_reserved_characters_as_sent():
    check = network("linkedin").check("(hi)", [image()], {})
    assert (check.ok, check.used, check.limit) == (True, 6, 3000)
