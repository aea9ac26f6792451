"""Defect 8: a Page video is a Video object with its own feed post. Mixora stores the post's
id (`{page-id}_{post-id}`, read from the Video's `post_id`), so comments on it link to the
published post, and the local demo can have customers comment on it."""

from __future__ import annotations

import pytest

from inbox import demo
from inbox.models import Conversation
from publishing import publisher
from publishing.models import PostTarget

pytestmark = pytest.mark.django_db(transaction=True)


def publish_video(scheduled_post, account, upload) -> PostTarget:
    scheduled_post([account], "Latte art, slowly", [upload("video")])
    publisher.dispatch_due()
    queued = PostTarget.objects.filter(state=PostTarget.State.QUEUED)
    assert [publisher.publish_one(t.pk) for t in queued] == ["published"]
    return PostTarget.objects.get(account=account)


def test_a_video_is_stored_under_its_post_id_with_the_posts_permalink(
    accounts, emulator, scheduled_post, upload
):
    page = accounts["facebook"]
    target = publish_video(scheduled_post, page, upload)
    [post] = emulator.control("GET", "posts?platform=facebook")
    assert post["kind"] == "added_video"
    assert target.platform_post_id == post["id"]
    assert target.platform_post_id != f"{page.external_id}_{post['details']['video_id']}"
    assert target.permalink == post["permalink"]


def test_a_comment_on_a_published_video_links_to_it(
    subscribed, emulator, accounts, scheduled_post, upload, process_deliveries
):
    page = accounts["facebook"]
    target = publish_video(scheduled_post, page, upload)
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "comment",
            "account_id": page.external_id,
            "post_id": target.platform_post_id,
            "from": {"id": "900001", "name": "Ana Lima"},
            "text": "How long did that take?",
        },
    )
    assert event["deliveries"][0]["status"] == 200
    change = event["webhook"]["entry"][0]["changes"][0]["value"]
    assert change["post_id"] == target.platform_post_id
    assert process_deliveries() == 1
    conversation = Conversation.objects.get()
    assert conversation.post_target == target


def test_the_demo_comments_on_a_published_video(accounts, emulator, scheduled_post, upload):
    page = accounts["facebook"]
    target = publish_video(scheduled_post, page, upload)
    assert demo._post_id(page) == target.platform_post_id
    comment = {
        "platform": "meta",
        "kind": "comment",
        "account_id": page.external_id,
        "post_id": demo._post_id(page),
        "from": {"id": "900001", "name": "Ana Lima"},
        "text": "Nice",
        "deliver": False,
    }
    assert emulator.control("POST", "inbound", comment)["post_id"] == target.platform_post_id


def test_the_demo_skips_a_video_stored_under_its_video_id(
    accounts, emulator, scheduled_post, upload
):
    page = accounts["facebook"]
    target = publish_video(scheduled_post, page, upload)
    [video] = emulator.control("GET", "posts?platform=facebook")
    # A row from before the fix: the bare video id, which no comment names.
    PostTarget.objects.filter(pk=target.pk).update(platform_post_id=video["details"]["video_id"])
    post_id = demo._post_id(page)
    assert post_id.startswith(f"{page.external_id}_")
    comment = {
        "platform": "meta",
        "kind": "comment",
        "account_id": page.external_id,
        "post_id": post_id,
        "from": {"id": "900001", "name": "Ana Lima"},
        "text": "Nice",
        "deliver": False,
    }
    assert emulator.control("POST", "inbound", comment)["post_id"] == post_id
